// Public surface of the bench component (see DESIGN.md). Populated by the issue that builds it.
export {};
