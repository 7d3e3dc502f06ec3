// Public surface of the pd component (see DESIGN.md). Populated by the issue that builds it.
export {};
