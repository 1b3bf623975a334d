# Models of the support app: see DESIGN.md.
