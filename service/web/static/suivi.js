/* Suivi: three small helps for the staff pages, no build step.

   1. A one-time token on every form that posts (a hidden "form_token"), kept with the page's
      history entry: sending the same form again (a double click, or Back and send) carries the
      same token, and the server writes nothing twice. A form changed after it was sent gets a
      new token, since it is a new command.
   2. What was being typed survives an expired session: on sending, the form's typed fields wait
      in this tab's sessionStorage; if the sign-in page comes next, they are put back in the same
      form after signing in again, then forgotten. Any other page forgets them at once. Passwords
      are never kept, and nothing goes to the server.
   3. The error summary takes the focus, and its links go to their field (the GOV.UK pattern).
   4. A table wider than the screen (a phone, 390 px) scrolls within its own box, which the
      keyboard can reach.
*/
(function () {
  "use strict";

  var TOKENS = "suivi.formTokens"; // in history.state: the tokens of this page's forms
  var DRAFT = "suivi.draft"; // in sessionStorage: a form sent just before the sign-in page
  var NOT_TYPED = { hidden: 1, password: 1, submit: 1, button: 1, reset: 1, file: 1, image: 1 };
  var NEVER_KEPT = { csrf_token: 1, form_token: 1, password: 1 };

  function randomToken() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function posts(form) {
    return (form.getAttribute("method") || "").toLowerCase() === "post" || form.hasAttribute("hx-post");
  }

  function actionOf(form) {
    return form.getAttribute("action") || form.getAttribute("hx-post") || "";
  }

  /* The form's place on the page: its action and, among forms with that action, its rank. */
  function keyOf(form) {
    var action = actionOf(form), rank = 0;
    var forms = document.querySelectorAll("form");
    for (var i = 0; i < forms.length && forms[i] !== form; i++) {
      if (actionOf(forms[i]) === action) { rank++; }
    }
    return action + "#" + rank;
  }

  /* A short fingerprint of what the form sends (FNV-1a), to tell a resend from a new command. */
  function fingerprint(form) {
    var text = "", hash = 0x811c9dc5;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "form_token" || el.name === "csrf_token" || el.disabled) { return; }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
      text += el.name + "=" + el.value + "\u0000";
    });
    for (var i = 0; i < text.length; i++) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash.toString(16);
  }

  function savedTokens() {
    var state = window.history.state;
    return (state && state[TOKENS]) || {};
  }

  function saveTokens(tokens) {
    var state = {}, old = window.history.state || {};
    for (var name in old) { if (Object.prototype.hasOwnProperty.call(old, name)) { state[name] = old[name]; } }
    state[TOKENS] = tokens;
    try { window.history.replaceState(state, ""); } catch (ignored) { /* the token then lives with the page only */ }
  }

  function tokenInput(form) {
    var input = form.querySelector('input[name="form_token"]');
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = "form_token";
      form.appendChild(input);
    }
    return input;
  }

  function equip(root) {
    var tokens = savedTokens(), changed = false;
    var forms = root.querySelectorAll ? root.querySelectorAll("form") : [];
    if (root.tagName === "FORM") { forms = [root]; }
    Array.prototype.forEach.call(forms, function (form) {
      if (!posts(form)) { return; }
      var key = keyOf(form);
      if (!tokens[key]) { tokens[key] = { token: randomToken(), sent: null }; changed = true; }
      tokenInput(form).value = tokens[key].token;
    });
    if (changed) { saveTokens(tokens); }
  }

  function onSubmit(event) {
    var form = event.target;
    if (!form || form.tagName !== "FORM" || !posts(form)) { return; }
    if (actionOf(form) === "/ui/sign-out") { window.sessionStorage.removeItem(DRAFT); return; }
    var tokens = savedTokens(), key = keyOf(form), print = fingerprint(form);
    var entry = tokens[key];
    if (!entry || (entry.sent !== null && entry.sent !== print)) { entry = { token: randomToken(), sent: null }; }
    entry.sent = print;
    tokens[key] = entry;
    saveTokens(tokens);
    tokenInput(form).value = entry.token;
    keepDraft(form);
  }

  function typedFields(form) {
    var fields = [], typed = false;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || NEVER_KEPT[el.name] || NOT_TYPED[el.type]) { return; }
      if (el.type === "checkbox" || el.type === "radio") {
        fields.push({ name: el.name, value: el.value, checked: el.checked });
      } else {
        fields.push({ name: el.name, value: el.value });
        if (el.tagName !== "SELECT" && el.value.trim()) { typed = true; }
      }
    });
    return typed ? fields : null;
  }

  function keepDraft(form) {
    if (form.querySelector('input[type="password"]')) { return; } // the sign-in and account forms
    var fields = typedFields(form);
    if (!fields) { return; }
    var draft = { page: window.location.pathname, action: actionOf(form), fields: fields, state: "sent" };
    try { window.sessionStorage.setItem(DRAFT, JSON.stringify(draft)); } catch (ignored) { /* private mode */ }
  }

  function readDraft() {
    try { return JSON.parse(window.sessionStorage.getItem(DRAFT) || "null"); } catch (ignored) { return null; }
  }

  function onSignInPage() {
    return !!document.querySelector('form[action="/ui/sign-in"]');
  }

  function restoreDraft() {
    var draft = readDraft();
    if (!draft) { return; }
    if (onSignInPage()) {
      if (draft.state === "sent") {
        draft.state = "kept"; // sent, then the sign-in page: the session had ended
        window.sessionStorage.setItem(DRAFT, JSON.stringify(draft));
      }
      return;
    }
    window.sessionStorage.removeItem(DRAFT);
    if (draft.state !== "kept") { return; }
    var form = null;
    Array.prototype.forEach.call(document.querySelectorAll("form"), function (each) {
      if (!form && actionOf(each) === draft.action) { form = each; }
    });
    if (!form) { return; }
    var first = null;
    draft.fields.forEach(function (field) {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name !== field.name) { return; }
        if (el.type === "checkbox" || el.type === "radio") {
          if (el.value === field.value) { el.checked = field.checked; }
        } else if (!el.value || el.tagName === "SELECT") {
          el.value = field.value;
          if (!first && el.tagName !== "SELECT" && field.value) { first = el; }
        }
      });
    });
    openAround(form);
    var notice = document.createElement("div");
    notice.className = "notice warn";
    notice.setAttribute("role", "status");
    notice.textContent = document.body.getAttribute("data-draft-restored") || "";
    form.parentNode.insertBefore(notice, form);
    if (first) { first.focus(); }
  }

  function openAround(element) {
    for (var el = element; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") { el.open = true; }
    }
  }

  function showErrors() {
    Array.prototype.forEach.call(document.querySelectorAll('[aria-invalid="true"]'), openAround);
    var summary = document.getElementById("error-summary");
    if (!summary) { return; }
    var action = summary.getAttribute("data-action") || "";
    summary.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[data-field]") : null;
      if (!link) { return; }
      var name = link.getAttribute("data-field"), target = null;
      Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
        if (!target && (!action || actionOf(form) === action) && form.elements[name]) {
          target = form.elements[name];
          if (target.length && !target.tagName) { target = target[0]; } // a group of radio buttons
        }
      });
      if (target) {
        event.preventDefault();
        openAround(target);
        target.focus();
      }
    });
    summary.focus();
  }

  function boxTables(root) {
    var tables = root.querySelectorAll ? root.querySelectorAll("table") : [];
    Array.prototype.forEach.call(tables, function (table) {
      var box = table.parentElement;
      if (!box.classList.contains("table-box")) {
        box = document.createElement("div");
        box.className = "table-box";
        table.parentNode.insertBefore(box, table);
        box.appendChild(table);
      }
      fitBox(box);
    });
  }

  /* Only a box that scrolls is a stop for the keyboard (and a named region for screen readers). */
  function fitBox(box) {
    var label = document.body.getAttribute("data-table-label") || "";
    if (box.scrollWidth > box.clientWidth + 1) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", label);
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }

  window.addEventListener("resize", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".table-box"), fitBox);
  });
  document.addEventListener("submit", onSubmit, true);
  document.addEventListener("htmx:load", function (event) { equip(event.target); boxTables(event.target); });
  document.addEventListener("htmx:afterRequest", function (event) {
    var draft = readDraft();
    if (draft && draft.state === "sent" && event.detail && event.detail.successful) {
      window.sessionStorage.removeItem(DRAFT);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    equip(document);
    boxTables(document);
    restoreDraft();
    showErrors();
  });
})();
