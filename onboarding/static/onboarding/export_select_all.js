// The export form's "Select all" box. django-import-export wires it with an inline
// onchange attribute, which the portal's Content-Security-Policy (script-src 'self')
// blocks; this file does the same from a script the policy allows.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input.select-toggle").forEach((toggle) => {
    const row = toggle.closest("[resource-index]");
    const index = row ? row.getAttribute("resource-index") : "0";
    // One box per resource: its label points at it (the template gives every label the same target).
    toggle.id = `select-all-toggle-${index}`;
    const label = toggle.parentElement.querySelector("label");
    if (label) label.htmlFor = toggle.id;
    toggle.addEventListener("change", () => {
      // Only the fields of the resource this box belongs to.
      const scope = row ? `[resource-index="${index}"]` : "";
      document
        .querySelectorAll(`.selectable-field-export-row${scope} input[type="checkbox"]:not(.select-toggle)`)
        .forEach((checkbox) => {
          checkbox.checked = toggle.checked;
        });
    });
  });
});
