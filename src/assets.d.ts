// Type of text assets imported with `with { type: "text" }` (embedded into the binary).
declare module "*.yaml" {
  const text: string;
  export default text;
}
declare module "*.html" {
  const text: string;
  export default text;
}
