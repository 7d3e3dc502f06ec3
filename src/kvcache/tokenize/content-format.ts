// Detects whether a chat template reads message content as a string or loops over OpenAI content
// parts, on the parsed template, as vLLM's `--chat-template-content-format auto` does
// (`_detect_content_format`, vllm/renderers/hf.py, main).
import type { ContentFormat } from "./chat-messages.ts";

/** The parsed template (`Template.parsed` of @huggingface/jinja), read structurally. */
interface AstNode {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** "openai" when some `for x in message['content']` loop exists, else "string" (also vLLM's fallback). */
export function detectContentFormat(program: unknown): ContentFormat {
  const nodes = [...walk(program)];
  const loops = nodes.filter((node) => node.type === "For");
  const assigns = nodes.filter((node) => node.type === "Set");
  const messagesNames = relatedNames(assigns, "messages");
  if (messagesNames === null) return "string";
  const messageNames = loopTargets(loops, messagesNames, null);
  if (messageNames === null) return "string";
  for (const loop of loops) {
    if (!messageNames.some((name) => isVarOrElemsAccess(loop.iterable, name, "content"))) continue;
    // vLLM asserts the loop target is a plain name; a failed assertion falls back to "string".
    return identifierName(loop.loopvar) === null ? "string" : "openai";
  }
  return "string";
}

// Names assigned from `varname` (directly, sliced, filtered), transitively, as vLLM's BFS does.
// null means an assignment vLLM's assertion rejects (a non-name target).
function relatedNames(assigns: readonly AstNode[], varname: string): string[] | null {
  const names = [varname];
  const queue = [varname];
  for (let related = queue.shift(); related !== undefined; related = queue.shift()) {
    for (const assign of assigns) {
      if (assign.value === null || !isVarOrElemsAccess(assign.value, related)) continue;
      const target = identifierName(assign.assignee);
      if (target === null) return null;
      if (!names.includes(target)) {
        names.push(target);
        queue.push(target);
      }
    }
  }
  return names;
}

// Loop variables of `for x in <one of names>` loops; null when such a loop has a tuple target.
function loopTargets(
  loops: readonly AstNode[],
  names: readonly string[],
  key: string | null,
): string[] | null {
  const targets: string[] = [];
  for (const loop of loops) {
    if (!names.some((name) => isVarOrElemsAccess(loop.iterable, name, key))) continue;
    const target = identifierName(loop.loopvar);
    if (target === null) return null;
    targets.push(target);
  }
  return targets;
}

function isVarOrElemsAccess(node: unknown, varname: string, key: string | null = null): boolean {
  if (!isAstNode(node)) return false;
  // `for x in xs if cond` parses as a select expression here; Python's Jinja keeps the iterable bare.
  if (node.type === "SelectExpression") return isVarOrElemsAccess(node.lhs, varname, key);
  if (node.type === "FilterExpression" || node.type === "TestExpression") {
    return isVarOrElemsAccess(node.operand, varname, key);
  }
  if (
    node.type === "MemberExpression" &&
    isAstNode(node.property) &&
    node.property.type === "SliceExpression"
  ) {
    return isVarOrElemsAccess(node.object, varname, key);
  }
  return key === null ? identifierName(node) === varname : isAttrAccess(node, varname, key);
}

function isAttrAccess(node: AstNode, varname: string, key: string): boolean {
  if (node.type !== "MemberExpression" || identifierName(node.object) !== varname) return false;
  const property = node.property;
  if (!isAstNode(property)) return false;
  if (node.computed === true) return property.type === "StringLiteral" && property.value === key;
  return identifierName(property) === key;
}

function identifierName(node: unknown): string | null {
  return isAstNode(node) && node.type === "Identifier" && typeof node.value === "string" ? node.value : null;
}

function isAstNode(value: unknown): value is AstNode {
  return (
    typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string"
  );
}

// Pre-order walk of the tree. `operator` holds a lexer token, not a node, so it is not entered.
function* walk(value: unknown): Generator<AstNode> {
  if (Array.isArray(value)) {
    for (const item of value) yield* walk(item);
    return;
  }
  if (value instanceof Map) {
    for (const [key, item] of value) {
      yield* walk(key);
      yield* walk(item);
    }
    return;
  }
  if (!isAstNode(value)) return;
  yield value;
  for (const [key, child] of Object.entries(value)) {
    if (key !== "operator" && typeof child === "object" && child !== null) yield* walk(child);
  }
}
