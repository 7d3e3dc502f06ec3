// Public surface of the predictor component (see DESIGN.md). Populated by the issue that builds it.
export {};
