// The rules tests/web/test_html_valid.py checks every page against: html-validate's recommended set,
// with three exceptions, each explained.
module.exports = {
  extends: ["html-validate:recommended"],
  rules: {
    // Jinja's block tags leave their line's indentation behind; trailing spaces are not an error in
    // HTML, change nothing a person sees and cost a few bytes, so the source's layout is not checked.
    "no-trailing-whitespace": "off",
    // ARIA 1.2 lets a list be named (role list is "nameable from author"); our lists of ideas and tasks
    // carry aria-label so a screen reader announces which list it is in. This is the rule as the
    // standard preset has it; a name on an element that may not have one is still an error.
    "aria-label-misuse": ["error", { allowAnyNamable: true }],
    // A group of checkboxes for one multiple choice (a login's roles, a leader's units) shares one name, as
    // HTML means it to: the form sends every ticked value under it. The preset lets radios share a name
    // and not checkboxes; this adds checkboxes to the shared types (a checkbox still may not share its name
    // with a field of another type), with the preset's allowCheckboxDefault (a hidden default) kept.
    "form-dup-name": ["error", { allowCheckboxDefault: true, shared: ["radio", "checkbox", "button", "reset", "submit"] }],
  },
  // htmx's hx-* attributes need no exception: html-validate has no rule against attributes it does not
  // know. Should a later version add one, exempt /^hx-/ here, and nothing else.
};
