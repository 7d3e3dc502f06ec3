// Public surface of the flow component (see DESIGN.md). Populated by the issue that builds it.
export {};
