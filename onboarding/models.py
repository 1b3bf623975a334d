# Models of the onboarding app: see DESIGN.md.
