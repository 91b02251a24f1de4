// Loaded first in <head>, without defer: marks the page as scripted before it
// is painted, so the no-JavaScript "Update" button never flashes. A file
// rather than an inline script, because the Content-Security-Policy forbids those.
document.documentElement.classList.add("js");

// Enter in the "Save as" name field saves, as the field's label says; everywhere
// else in the configurator Enter presses the form's first button (Update). A
// listener on the document, so it works before the configurator is parsed.
document.addEventListener("keydown", function (event) {
  const field = event.target;
  if (event.key !== "Enter" || !(field instanceof HTMLInputElement) || field.id !== "config-name") return;
  const save = document.getElementById("summary-save");
  if (!save) return;
  event.preventDefault();
  save.click();
});
