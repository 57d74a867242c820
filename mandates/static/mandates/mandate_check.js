// On the entry form: when the entry is done in the person's place, say whether a mandate of
// the person covers its procedure (the server decides again on saving).
(function () {
  const config = document.querySelector("[data-mandate-check-url]");
  if (!config) return;
  const url = config.dataset.mandateCheckUrl;
  function form() { return document.querySelector("form[data-entry-form], form.entry-form") || document.querySelector("#panel-new-entry form"); }
  async function check() {
    const f = form(); if (!f) return;
    let box = f.querySelector("[data-mandate-check]");
    const mode = f.querySelector("[name=mode]:checked") || f.querySelector("select[name=mode]");
    if (!mode || mode.value !== "do_for") { if (box) box.hidden = true; return; }
    if (!box) { box = document.createElement("p"); box.setAttribute("data-mandate-check", ""); box.setAttribute("role", "status"); (f.querySelector("button[type=submit]") || f.lastChild).before(box); }
    const value = (name) => (f.querySelector("[name=" + name + "]") || {}).value || "";
    const params = new URLSearchParams({person_code: value("person_code"), procedure_domain: value("procedure_domain"), occurred_on: value("occurred_on")});
    const answer = await (await fetch(url + "?" + params, {credentials: "same-origin"})).json();
    box.hidden = false;
    box.className = answer.mandate ? "notice mandate-ok" : "warning mandate-missing";
    box.textContent = answer.message + " ";
    if (!answer.mandate && answer.record_url) { const a = document.createElement("a"); a.href = answer.record_url; a.textContent = config.dataset.recordLabel; box.append(a); }
  }
  document.addEventListener("change", (e) => { if (e.target.closest && form() && form().contains(e.target)) check(); });
  check();
})();
