// Public surface of the sim component (see DESIGN.md). Populated by the issue that builds it.
export {};
