// Loaded first in <head>, without defer: marks the page as scripted before it
// is painted, so the no-JavaScript "Update" button never flashes. A file
// rather than an inline script, because the Content-Security-Policy forbids those.
document.documentElement.classList.add("js");
