# Models of the training app: see DESIGN.md.
