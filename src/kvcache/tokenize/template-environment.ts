// The Jinja globals transformers gives chat templates (raise_exception, strftime_now, range, constants),
// built here instead of by @huggingface/jinja so the clock behind strftime_now can be injected.
import { Environment, Interpreter, type Template } from "@huggingface/jinja";
import { strftime } from "./strftime.ts";

/** Builds the read-only parent scope shared by every render of one renderer. */
export function createTemplateGlobals(now: () => Date): Environment {
  const globals = new Environment();
  const constants: Array<[string, boolean | null]> = [
    ["false", false],
    ["true", true],
    ["none", null],
    ["False", false],
    ["True", true],
    ["None", null],
  ];
  for (const [name, value] of constants) globals.set(name, value);
  globals.set("raise_exception", function raiseException(message: unknown): never {
    throw new Error(String(message));
  });
  globals.set("range", pythonRange);
  globals.set("strftime_now", function strftimeNow(format: unknown): string {
    return strftime(now(), String(format));
  });
  return globals;
}

/** Renders `template` with `variables` in a fresh scope whose parent is `globals`; variables shadow globals. */
export function runTemplate(
  template: Template,
  globals: Environment,
  variables: Readonly<Record<string, unknown>>,
): string {
  const scope = new Environment(globals);
  for (const [name, value] of Object.entries(variables)) scope.set(name, value);
  const result = new Interpreter(scope).run(template.parsed);
  return typeof result.value === "string" ? result.value : String(result.value);
}

// Python's range(stop) / range(start, stop[, step]).
function pythonRange(start: number, stop?: number, step = 1): number[] {
  if (step === 0) throw new Error("range() arg 3 must not be zero");
  const [from, to] = stop === undefined ? [0, start] : [start, stop];
  const values: number[] = [];
  for (let i = from; step > 0 ? i < to : i > to; i += step) values.push(i);
  return values;
}
