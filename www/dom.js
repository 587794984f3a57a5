// The demo page's DOM helpers: find by id, build an element with children, the notice line.
// Must not: hold page state.

export const $ = (id) => document.getElementById(id);
export const el = (tag, props = {}, ...children) => append(Object.assign(document.createElement(tag), props), children);

function append(node, children) {
  for (const c of children) if (c != null) node.append(c);
  return node;
}

export function notice(text, kind = "") {
  $("notice").hidden = !text;
  $("notice").textContent = text;
  $("notice").className = `notice ${kind}`;
}
