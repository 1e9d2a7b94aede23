// Builds the staff pages' elements. Strings become text nodes and "text" sets textContent: whatever a patient
// wrote is never parsed as HTML.

/** Creates an element; strings become text nodes. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}
