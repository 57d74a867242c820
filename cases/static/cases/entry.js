/* The worker's pages, faster: search-as-you-type, chips moved with the arrow keys, Enter
   saves from anywhere, the day's list updated in place, notes scanned for identifiers, the
   form and the list as tabs on a narrow screen (Alt+J and Alt+N move between them).
   Every form also works without this file (plain POST and redirect). It never chooses a
   value for the worker: it only unticks "not applicable" once sensitive data is ticked. */
(function () {
  "use strict";
  document.documentElement.classList.remove("no-js");

  function csrf(form) {
    var input = (form || document).querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function debounce(fn, ms) {
    var timer;
    return function () {
      var args = arguments, self = this;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }

  /* --- search-as-you-type over the institution registry (ARIA combobox) ---------------- */
  function initCombo(box) {
    var input = box.querySelector("[data-combo-input]");
    var hidden = box.querySelector("[data-combo-id]");
    var list = box.querySelector(".listbox");
    var kind = box.querySelector("[data-combo-kind]");
    var url = box.getAttribute("data-search-url");
    var items = [], active = -1, pending = null, seq = 0;

    function close() {
      list.hidden = true; list.innerHTML = ""; items = []; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function highlight(i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (li, n) {
        li.setAttribute("aria-selected", n === i ? "true" : "false");
      });
      if (i >= 0 && list.children[i]) {
        input.setAttribute("aria-activedescendant", list.children[i].id);
        list.children[i].scrollIntoView({ block: "nearest" });
      }
    }
    function pick(i) {
      var item = items[i];
      if (!item) return;
      input.value = item.label;
      hidden.value = item.id;
      if (kind) kind.value = item.kind;
      close();
      input.dispatchEvent(new Event("combo-picked", { bubbles: true }));
    }
    function search() {
      var q = input.value.trim();
      var mine = ++seq;
      if (!q) { close(); pending = null; return Promise.resolve(); }
      pending = fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (mine !== seq) return;
          items = data.results || [];
          list.innerHTML = "";
          items.forEach(function (item, n) {
            var li = document.createElement("li");
            li.id = list.id + "-" + n;
            li.setAttribute("role", "option");
            li.textContent = item.name + " ";
            var small = document.createElement("small");
            small.textContent = item.kind_label + (item.postcode ? " · " + item.postcode : "");
            li.appendChild(small);
            li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(n); });
            list.appendChild(li);
          });
          list.hidden = items.length === 0;
          input.setAttribute("aria-expanded", items.length ? "true" : "false");
          highlight(items.length ? 0 : -1);
        })
        .finally(function () { if (mine === seq) pending = null; });
      return pending;
    }
    var searchSoon = debounce(search, 120);
    input.addEventListener("input", function () { hidden.value = ""; searchSoon(); });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" && items.length) { e.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
      else if (e.key === "ArrowUp" && items.length) { e.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (e.key === "Escape" && !list.hidden) { e.preventDefault(); close(); }
      else if (e.key === "Enter" && !e.ctrlKey) {
        if (!list.hidden && active >= 0) { e.preventDefault(); e.stopPropagation(); pick(active); }
        else if (input.value.trim() && !hidden.value) {
          // Typed faster than the answer came: take the best match once it arrives.
          e.preventDefault(); e.stopPropagation();
          (pending || search()).then(function () { if (items.length) pick(0); });
        }
      }
    });
    return { input: input, hidden: hidden, kind: kind };
  }

  /* --- "same as referrer" --------------------------------------------------------------- */
  function initSameAs(form, combos) {
    var box = form.querySelector("[data-same-as]");
    if (!box || combos.length < 2) return;
    var referrer = combos[0], responsible = combos[1];
    function sync() {
      var same = box.checked;
      [responsible.input, responsible.kind].forEach(function (el) { if (el) el.disabled = same; });
      if (same) {
        responsible.input.value = referrer.input.value;
        responsible.hidden.value = referrer.hidden.value;
        if (responsible.kind && referrer.kind) responsible.kind.value = referrer.kind.value;
      }
    }
    box.addEventListener("change", sync);
    [referrer.input, referrer.kind].forEach(function (el) {
      if (el) el.addEventListener("change", sync);
    });
    form.addEventListener("combo-picked", sync);
    responsible.input.addEventListener("keydown", function (e) {
      if (e.key === "=") { e.preventDefault(); box.checked = true; sync(); box.focus(); }
    });
    sync();
  }

  /* --- chips: one tab stop per group, arrow keys move, space toggles -------------------- */
  function initRoving(group) {
    var inputs = Array.prototype.slice.call(group.querySelectorAll("input[type=checkbox]"));
    if (!inputs.length) return;
    function setStop(target) {
      inputs.forEach(function (el) { el.tabIndex = el === target ? 0 : -1; });
    }
    setStop(inputs[0]);
    group.addEventListener("keydown", function (e) {
      var i = inputs.indexOf(document.activeElement);
      if (i < 0) return;
      var next = null;
      if (e.key === "ArrowRight" || e.key === "ArrowDown") next = inputs[(i + 1) % inputs.length];
      else if (e.key === "ArrowLeft" || e.key === "ArrowUp") next = inputs[(i - 1 + inputs.length) % inputs.length];
      else if (e.key === "Home") next = inputs[0];
      else if (e.key === "End") next = inputs[inputs.length - 1];
      if (next) { e.preventDefault(); setStop(next); next.focus(); }
    });
    group.addEventListener("focusin", function (e) {
      if (inputs.indexOf(e.target) >= 0) setStop(e.target);
    });
  }

  /* --- identifiers in free text --------------------------------------------------------- */
  function initScan(form, field) {
    var textarea = field.querySelector("[data-scan-text]");
    var result = field.querySelector("[data-scan-result]");
    var url = form.getAttribute("data-scan-url");
    if (!textarea || !result || !url) return;
    var masked = null;
    function render(data) {
      result.innerHTML = "";
      if (!data.findings.length) { masked = null; return; }
      masked = data.masked;
      var labels = [];
      data.findings.forEach(function (f) { if (labels.indexOf(f.label) < 0) labels.push(f.label); });
      var text = document.createElement("span");
      text.textContent = result.getAttribute("data-label-found") + " " + labels.join(", ");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = result.getAttribute("data-label-mask");
      button.setAttribute("data-mask", "");
      button.addEventListener("click", function () {
        if (masked !== null) textarea.value = masked;
        result.innerHTML = "";
        textarea.focus();
      });
      result.appendChild(text);
      result.appendChild(button);
    }
    var scan = debounce(function () {
      var body = new FormData();
      body.append("text", textarea.value);
      fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrf(form) } })
        .then(function (r) { return r.json(); })
        .then(render)
        .catch(function () {});
    }, 300);
    textarea.addEventListener("input", scan);
    if (textarea.value) scan();
  }

  /* --- persons by code ------------------------------------------------------------------- */
  function initPersons(form) {
    var input = form.querySelector("[data-person-code]");
    var url = form.getAttribute("data-persons-url");
    if (!input || !url) return;
    var list = document.getElementById(input.getAttribute("list"));
    input.addEventListener("input", debounce(function () {
      var q = input.value.trim();
      if (!q) return;
      var body = new FormData();
      body.append("q", q);
      // Posted: a person's code typed here must not end up in access logs as a URL.
      fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrf(form) } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          list.innerHTML = "";
          data.results.forEach(function (p) {
            var option = document.createElement("option");
            option.value = p.code;
            list.appendChild(option);
          });
        })
        .catch(function () {});
    }, 150));
  }

  /* --- values carried over from the last entry: the mark goes once the worker changes one -- */
  function initCarriedOver(form) {
    Array.prototype.forEach.call(form.querySelectorAll("[data-carry-over]"), function (box) {
      function drop() {
        var mark = box.querySelector("[data-carried-over]");
        if (mark) mark.remove();
        box.removeAttribute("data-carry-over");
        box.removeEventListener("input", drop);
        box.removeEventListener("change", drop);
      }
      box.addEventListener("input", drop);
      box.addEventListener("change", drop);
    });
  }

  /* --- sensitive data asks for the consent given ------------------------------------------ */
  function initConsent(form) {
    var box = form.querySelector("[data-sensitive]");
    if (!box) return;
    var flags = box.querySelectorAll("input[name=sensitive_flags]");
    var notApplicable = box.querySelector("input[name=consent][value=not_applicable]");
    function anyFlag() {
      return Array.prototype.some.call(flags, function (el) { return el.checked; });
    }
    function consentChosen() {
      return !!box.querySelector("input[name=consent]:checked");
    }
    box.addEventListener("change", function (e) {
      if (e.target.name !== "sensitive_flags") {
        if (e.target.name === "consent") box.classList.toggle("asks-consent", anyFlag() && notApplicable && notApplicable.checked);
        return;
      }
      if (anyFlag()) {
        // "Not applicable" was the default, not the worker's answer: ask for the real one.
        if (notApplicable && notApplicable.checked) {
          notApplicable.checked = false;
          notApplicable.closest("fieldset").classList.remove("folded");
        }
        box.classList.toggle("asks-consent", !consentChosen());
      } else {
        box.classList.remove("asks-consent");
        if (!consentChosen() && notApplicable) notApplicable.checked = true;
      }
    });
  }

  /* --- the rights ledger: shown once the outcome or a barrier calls for it ---------------- */
  // The rule is the server's (cases.entry_fields.ledger_called_for), read from the fold's data
  // attributes; a ledger that holds a value or an error is never hidden.
  var EMPTY_AMOUNTS = ["", "0", "0,00", "0.00", "0,0", "0.0"];

  function isEmptyAmount(input) {
    return !input || EMPTY_AMOUNTS.indexOf(input.value.trim()) >= 0;
  }

  function initLedger(form) {
    var box = form.querySelector("[data-ledger]");
    if (!box) return;
    var outcomes = (box.getAttribute("data-ledger-outcomes") || "").split(" ");
    var barriers = (box.getAttribute("data-ledger-barriers") || "").split(" ");
    var notCounted = box.querySelector("[data-ledger-not-counted]");
    function impact() {
      var checked = box.querySelector("input[name=rights_impact]:checked");
      return checked ? checked.value : "";
    }
    function holdsValue() {
      if (box.hasAttribute("data-ledger-holds")) return true;
      if (impact() && impact() !== "none") return true;
      if (box.querySelector("input[name=non_take_up_type]:checked:not([value=''])")) return true;
      return Array.prototype.some.call(box.querySelectorAll("input[type=text], input[type=number]"), function (input) {
        return !isEmptyAmount(input);
      });
    }
    function calledFor() {
      var outcome = form.querySelector("input[name=outcome]:checked");
      if (outcome && outcomes.indexOf(outcome.value) >= 0) return true;
      return Array.prototype.some.call(form.querySelectorAll("input[name=barriers]:checked"), function (b) {
        return barriers.indexOf(b.value) >= 0;
      });
    }
    function update() {
      var show = calledFor() || holdsValue();
      var wasHidden = box.hidden;
      box.hidden = !show;
      if (show && wasHidden) box.open = true;
      if (notCounted) {
        var amounts = Array.prototype.some.call(
          box.querySelectorAll("input[name=right_months], input[name=right_monthly_eur]"),
          function (input) { return !isEmptyAmount(input); });
        notCounted.hidden = !(amounts && (impact() === "" || impact() === "none"));
      }
    }
    form.addEventListener("change", function (e) {
      if (e.target.name === "outcome" || e.target.name === "barriers" || box.contains(e.target)) update();
    });
    box.addEventListener("input", update);
    update();
  }

  /* --- the reference amount proposed for the monthly amount, used only when chosen -------- */
  function initProposal(form) {
    var box = form.querySelector("[data-reference-proposal]");
    var amount = form.querySelector("[name=right_monthly_eur]");
    if (!box || !amount) return;
    var procedure = form.querySelector("[name=procedure_domain]");
    var day = form.querySelector("[name=occurred_on]");
    var rows = JSON.parse(box.getAttribute("data-reference-amounts") || "[]");
    function proposals() {
      var code = procedure ? procedure.value : "";
      var on = day && day.value ? day.value : new Date().toISOString().slice(0, 10);
      var codes = [code, code.split(".")[0]];
      for (var i = 0; i < codes.length; i++) {
        if (!codes[i]) continue;
        var bySituation = {}, situations = [];
        rows.forEach(function (r) {
          if (r.procedure !== codes[i] || r.valid_from > on) return;
          var current = bySituation[r.situation];
          if (!current) situations.push(r.situation);
          if (!current || r.valid_from > current.valid_from) bySituation[r.situation] = r;
        });
        if (situations.length) {
          situations.sort();
          return situations.map(function (s) { return bySituation[s]; });
        }
      }
      return [];
    }
    function text(tag, content) {
      var el = document.createElement(tag);
      el.textContent = content;
      return el;
    }
    function render() {
      box.innerHTML = "";
      if (!isEmptyAmount(amount)) return;
      proposals().forEach(function (r) {
        var p = document.createElement("p");
        p.className = "hint";
        p.setAttribute("data-proposal", "");
        var what = document.createElement("span");
        what.appendChild(document.createTextNode(box.getAttribute("data-label") + " "));
        what.appendChild(text("strong", r.display));
        what.appendChild(document.createTextNode(" " + box.getAttribute("data-per-month")));
        p.appendChild(what);
        p.appendChild(document.createTextNode(" (" + (r.situation ? r.situation + " — " : "")));
        if (r.url) {
          var link = text("a", r.source);
          link.href = r.url; link.rel = "noopener noreferrer"; link.target = "_blank";
          p.appendChild(link);
        } else {
          p.appendChild(document.createTextNode(r.source));
        }
        p.appendChild(document.createTextNode(", " + box.getAttribute("data-valid-from") + " " + r.valid_from_display + ") "));
        var use = text("button", box.getAttribute("data-use"));
        use.type = "button";
        use.setAttribute("data-use-amount", r.value);
        p.appendChild(use);
        box.appendChild(p);
      });
    }
    box.addEventListener("click", function (e) {
      var use = e.target.closest("[data-use-amount]");
      if (!use) return;
      // The worker's choice: only now does the amount box hold the reference amount.
      amount.value = use.getAttribute("data-use-amount");
      amount.dispatchEvent(new Event("input", { bubbles: true }));
      amount.focus();
      render();
    });
    amount.addEventListener("input", render);
    if (procedure) procedure.addEventListener("change", render);
    if (day) day.addEventListener("change", render);
    render();
  }

  /* --- a choice made folds its group to the chosen chip; focus or a click opens it --------- */
  // Folding moves what is below: never between the press and the release of a click, so that
  // the click lands where the worker aimed.
  var pointerDown = false, pressed = null;

  function foldIfLeft(group) {
    if (group.querySelector("input:checked") && !group.contains(document.activeElement)) {
      group.classList.add("folded");
    }
  }

  function foldAllBut(target) {
    Array.prototype.forEach.call(document.querySelectorAll("fieldset[data-fold]"), function (group) {
      if (!target || !group.contains(target)) foldIfLeft(group);
    });
  }

  document.addEventListener("pointerdown", function (e) { pointerDown = true; pressed = e.target; }, true);
  document.addEventListener("pointerup", function () {
    setTimeout(function () { pointerDown = false; foldAllBut(pressed); }, 0);
  }, true);

  function initFolds(form) {
    Array.prototype.forEach.call(form.querySelectorAll("fieldset[data-fold]"), function (group) {
      function open() { group.classList.remove("folded"); }
      group.addEventListener("focusin", open);
      group.addEventListener("click", open);
      group.addEventListener("focusout", function () {
        if (!pointerDown) setTimeout(function () { foldIfLeft(group); }, 0);
      });
      foldIfLeft(group);
    });
  }

  /* --- the form ---------------------------------------------------------------------------- */
  /* A value copied from an entry loses its "taken from the entry" mark once the worker
     changes it: from then on it is theirs (the server decides the same on a re-render). */
  function initCarried(form) {
    Array.prototype.forEach.call(form.querySelectorAll("[data-carried]"), function (mark) {
      var label = mark.closest("label");
      var holder = label && label.htmlFor ? document.getElementById(label.htmlFor) : null;
      if (!holder) holder = mark.closest("fieldset");
      if (!holder) return;
      if (holder.hasAttribute("data-combo-input")) {
        holder = holder.closest(".field");
      }
      function drop() { mark.remove(); holder.removeEventListener("change", drop); holder.removeEventListener("input", drop); }
      holder.addEventListener("change", drop);
      holder.addEventListener("input", drop);
    });
  }

  /* --- the Once-Only barrier shows the fields naming the document and its holder --------- */
  function initOnceOnly(form) {
    var box = form.querySelector("[data-once-only]");
    if (!box) return;
    form.addEventListener("change", function (e) {
      if (e.target.name === "barriers" && e.target.value === "once_only") box.hidden = !e.target.checked;
    });
  }

  function initForm(form) {
    initFolds(form);
    initOnceOnly(form);
    initCarriedOver(form);
    initConsent(form);
    initLedger(form);
    initProposal(form);
    var combos = Array.prototype.map.call(form.querySelectorAll("[data-institution]"), initCombo);
    initSameAs(form, combos);
    Array.prototype.forEach.call(form.querySelectorAll("[data-roving]"), initRoving);
    Array.prototype.forEach.call(form.querySelectorAll("[data-scan]"), function (f) { initScan(form, f); });
    initPersons(form);
    initCarried(form);
    var duration = form.querySelector("[data-duration]");
    Array.prototype.forEach.call(form.querySelectorAll("[data-minutes]"), function (button) {
      button.addEventListener("click", function () {
        duration.value = button.getAttribute("data-minutes");
        duration.focus();
      });
    });
    // Enter saves from any control; in the notes, Ctrl+Enter (Enter makes a new line).
    form.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" || e.defaultPrevented || e.isComposing) return;
      var t = e.target;
      if (t.tagName === "BUTTON" || t.tagName === "SUMMARY" || t.tagName === "A") return;
      if (t.tagName === "TEXTAREA" && !e.ctrlKey && !e.metaKey) return;
      e.preventDefault();
      form.requestSubmit();
    });
  }

  /* --- fragments: save, edit, delete and undo without reloading the page ----------------- */
  var today = document.getElementById("today");

  /* --- the form and the day's list: side by side when wide, two tabs when narrow --------- */
  var narrow = window.matchMedia("(max-width: 59.99rem)");
  var shownTab = "new-entry";

  function applyTabs() {
    var layout = today && today.querySelector("[data-today-layout]");
    if (!layout) return;
    Array.prototype.forEach.call(layout.querySelectorAll("[data-tab]"), function (tab) {
      var selected = tab.getAttribute("data-tab") === shownTab;
      tab.setAttribute("aria-selected", selected ? "true" : "false");
      tab.tabIndex = selected ? 0 : -1;
    });
    Array.prototype.forEach.call(layout.querySelectorAll("[data-panel]"), function (panel) {
      if (narrow.matches) {
        panel.setAttribute("role", "tabpanel");
        panel.setAttribute("aria-labelledby", "tab-" + panel.getAttribute("data-panel"));
        panel.hidden = panel.getAttribute("data-panel") !== shownTab;
      } else {
        panel.removeAttribute("role");
        panel.setAttribute("aria-labelledby", panel.getAttribute("data-panel") === "day" ? "day-title" : "new-entry-title");
        panel.hidden = false;
      }
    });
  }

  function showTab(name, focus) {
    shownTab = name;
    applyTabs();
    if (!focus || !today) return;
    if (name === "day") {
      var day = today.querySelector("[data-panel=day]");
      day.focus({ preventScroll: true });
      day.scrollIntoView({ block: "start" });
    } else {
      var first = today.querySelector("[data-panel=new-entry] [autofocus]");
      if (first) first.focus();
    }
  }

  function initTabs(root) {
    var tabs = root.querySelectorAll ? root.querySelectorAll("[data-tab]") : [];
    Array.prototype.forEach.call(tabs, function (tab) {
      tab.addEventListener("click", function () { showTab(tab.getAttribute("data-tab"), false); });
      tab.addEventListener("keydown", function (e) {
        if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
        e.preventDefault();
        var other = tab.getAttribute("data-tab") === "day" ? "new-entry" : "day";
        showTab(other, false);
        var next = root.querySelector("[data-tab=" + other + "]");
        if (next) next.focus();
      });
    });
    applyTabs();
  }

  if (today) {
    if (narrow.addEventListener) narrow.addEventListener("change", applyTabs);
    // One chord from anywhere on the page, even from inside a field of the form.
    document.addEventListener("keydown", function (e) {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.code === "KeyJ") { e.preventDefault(); showTab("day", true); }
      else if (e.code === "KeyN") { e.preventDefault(); showTab("new-entry", true); }
    });
  }

  function focusAfterSwap(root) {
    var target = root.querySelector("[aria-invalid=true], .has-error input") ||
      root.querySelector("[data-focus-first]") || root.querySelector("[autofocus]");
    if (target) target.focus();
  }

  /* --- the contact-attempt diary: the body by search, then the result; a timer ---------- */
  var TIMER_KEY = "attempt-timer-started";
  function initAttemptForm(form) {
    var result = form.querySelector("[data-attempt-result]");
    Array.prototype.forEach.call(form.querySelectorAll("[data-institution]"), initCombo);
    form.addEventListener("combo-picked", function () { if (result) result.focus(); });
    var timer = form.querySelector("[data-attempt-timer]");
    var minutes = form.querySelector("[data-attempt-minutes]");
    if (!timer || !minutes) return;
    function show() {
      var running = !!sessionStorage.getItem(TIMER_KEY);
      timer.textContent = timer.getAttribute(running ? "data-stop-label" : "data-start-label");
      timer.setAttribute("aria-pressed", running ? "true" : "false");
    }
    timer.addEventListener("click", function () {
      var started = sessionStorage.getItem(TIMER_KEY);
      if (started) {
        // Stopped: the minutes lost since the start, rounded up (a call of 20 s still cost one).
        minutes.value = Math.min(600, Math.ceil((Date.now() - parseInt(started, 10)) / 60000));
        sessionStorage.removeItem(TIMER_KEY);
        minutes.focus();
      } else {
        sessionStorage.setItem(TIMER_KEY, String(Date.now()));
      }
      show();
    });
    show();
  }

  function initAll(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-entry-form]"), initForm);
    Array.prototype.forEach.call(root.querySelectorAll("[data-attempt-form]"), initAttemptForm);
    // Other forms that only name a body by search (the orientation sent from an entry).
    Array.prototype.forEach.call(root.querySelectorAll("[data-combo-form] [data-institution]"), initCombo);
    if (root.querySelector("[data-today-layout]")) initTabs(root);
    Array.prototype.forEach.call(root.querySelectorAll("[data-undo-seconds]"), function (el) {
      setTimeout(function () { el.remove(); }, 1000 * parseInt(el.getAttribute("data-undo-seconds"), 10));
    });
  }

  function swapToday(html) {
    today.innerHTML = html;
    initAll(today);
    focusAfterSwap(today);
  }

  function post(form, submitter) {
    var body = new FormData(form, submitter || undefined);
    return fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Fragment": "1", "X-CSRFToken": csrf(form) }
    });
  }

  if (today) {
    today.addEventListener("submit", function (e) {
      var form = e.target;
      if (!form.matches("[data-entry-form], [data-fragment-form]")) return;
      e.preventDefault();
      var editing = form.closest(".edit-entry");
      post(form, e.submitter).then(function (r) {
        return r.text().then(function (html) {
          if (editing && r.status === 400) {
            var holder = document.createElement("div");
            holder.innerHTML = html;
            var fresh = holder.querySelector(".edit-entry");
            editing.replaceWith(fresh);
            initAll(fresh);
            focusAfterSwap(fresh);
          } else if (r.ok || r.status === 400) {
            swapToday(html);
          } else {
            form.submit();
          }
        });
      }).catch(function () { form.submit(); });
    });
    today.addEventListener("click", function (e) {
      var link = e.target.closest("[data-edit-entry]");
      var cancel = e.target.closest("[data-cancel-edit]");
      if (link) {
        e.preventDefault();
        var row = link.closest(".entry");
        fetch(link.href, { credentials: "same-origin", headers: { "X-Fragment": "1" } })
          .then(function (r) { return r.text(); })
          .then(function (html) {
            var open = today.querySelector(".entry .edit-entry");
            if (open) open.remove();
            var holder = document.createElement("div");
            holder.innerHTML = html;
            var section = holder.querySelector(".edit-entry");
            row.appendChild(section);
            initAll(section);
            focusAfterSwap(section);
          });
      } else if (cancel) {
        e.preventDefault();
        var section = cancel.closest(".edit-entry");
        var id = section.closest(".entry").getAttribute("data-entry-id");
        section.remove();
        var back = today.querySelector("#entry-" + id + " [data-edit-entry]");
        if (back) back.focus();
      }
    });
    /* An attempt is edited in the diary's own line: the page comes back with the line
       filled, the cursor on its first field; cancel (or Escape) puts it back as it was and
       the cursor on the row's "Edit". */
    function focusAttemptEdit(root) {
      var form = root.querySelector("[data-attempt-editing]");
      if (!form || form.querySelector("[aria-invalid=true]")) return;
      var first = form.querySelector("input:not([type=hidden]), select");
      if (first) first.focus();
    }
    function fetchToday(url) {
      return fetch(url, { credentials: "same-origin", headers: { "X-Fragment": "1" } })
        .then(function (r) {
          if (!r.ok) throw new Error(String(r.status));
          return r.text();
        });
    }
    today.addEventListener("click", function (e) {
      var link = e.target.closest("[data-edit-attempt]");
      var cancel = e.target.closest("[data-cancel-attempt-edit]");
      if (link) {
        e.preventDefault();
        fetchToday(link.href).then(function (html) {
          swapToday(html);
          focusAttemptEdit(today);
        }).catch(function () { window.location.href = link.href; });
      } else if (cancel) {
        e.preventDefault();
        var id = cancel.closest("[data-attempt-editing]").getAttribute("data-attempt-editing");
        fetchToday(cancel.href).then(function (html) {
          swapToday(html);
          var back = today.querySelector("#attempt-" + id + " [data-edit-attempt]");
          if (back) back.focus();
        }).catch(function () { window.location.href = cancel.href; });
      }
    });
    // After the browser's own autofocus (the entry form's), which would take the cursor away.
    window.requestAnimationFrame(function () { focusAttemptEdit(today); });
    today.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && e.target.closest) {
        var editing = e.target.closest("[data-attempt-editing]");
        var stop = editing && editing.querySelector("[data-cancel-attempt-edit]");
        var list = editing && editing.querySelector(".listbox:not([hidden])");
        if (stop && !list && !e.defaultPrevented) { e.preventDefault(); stop.click(); return; }
      }
      if (e.key === "Escape") {
        var section = e.target.closest && e.target.closest(".edit-entry");
        var cancel = section && section.querySelector("[data-cancel-edit]");
        if (cancel && !e.defaultPrevented) { e.preventDefault(); cancel.click(); }
      }
    });
  }

  initAll(document);
})();
