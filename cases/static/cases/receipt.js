// The receipt's Print button (a static file: the Content-Security-Policy allows no inline
// event handler).
"use strict";
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
