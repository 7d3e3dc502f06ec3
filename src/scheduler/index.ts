// Public surface of the scheduler component (see DESIGN.md). Populated by the issue that builds it.
export {};
