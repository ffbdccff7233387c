// TrustHub console: live checks of the guided forms. The server checks again on submit
// (domain::validate::check); this file words problems the same way, from the same rules
// (/console/static/field-rules.json, the catalog's field rules). Forms work without it.
(function () {
  "use strict";

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  // A notice is shown once: drop it from the address so a reload does not repeat it.
  if (/[?&]notice=/.test(location.search) && window.history.replaceState) {
    var here = new URL(location.href);
    here.searchParams.delete("notice");
    history.replaceState(null, "", here.pathname + here.search + here.hash);
  }

  var forms = document.querySelectorAll("form[data-validate]");
  if (!forms.length || !window.fetch) return;

  function isEmail(s) {
    var at = s.indexOf("@");
    if (at < 1 || /\s/.test(s)) return false;
    var domain = s.slice(at + 1);
    return domain.indexOf("@") < 0 && domain.indexOf(".") >= 0 &&
      domain[0] !== "." && domain[domain.length - 1] !== ".";
  }

  function isUrl(s) {
    if (/\s/.test(s)) return false;
    try {
      var u = new URL(s.indexOf("://") >= 0 ? s : "https://" + s);
      var h = u.hostname;
      return (u.protocol === "http:" || u.protocol === "https:") &&
        h.indexOf(".") >= 0 && h[h.length - 1] !== ".";
    } catch (e) {
      return false;
    }
  }

  var formats = {
    email: [isEmail, function (i) { return '"' + i + '" is not a valid email address'; }],
    url: [isUrl, function (i) { return '"' + i + '" is not a valid URL'; }],
    e164: [function (s) { return /^\+[1-9][0-9]{6,14}$/.test(s); }, function (i) {
      return '"' + i + '" is not a phone number in E.164 format (a + followed by 7 to 15 digits, e.g. +15555550100)';
    }],
    integer: [function (s) { return /^[0-9]+$/.test(s); }, function (i) { return '"' + i + '" is not a whole number'; }],
    address_sids: [function (s) { return /^AD[0-9a-fA-F]{32}$/.test(s); }, function (i) {
      return '"' + i + '" is not an Address SID (AD followed by 32 hex digits)';
    }]
  };

  // Mirrors domain::validate::check: null when fine, else the message to show.
  function check(f, text) {
    var t = (text || "").trim();
    if (!t) return f.required ? f.friendly_name + " is required." : null;
    var chars = Array.from(t).length;
    if (f.min_length != null && chars < f.min_length) {
      return f.friendly_name + " is too short (at least " + f.min_length + " characters).";
    }
    if (f.max_length != null && chars > f.max_length) {
      return f.friendly_name + " is too long (at most " + f.max_length + " characters).";
    }
    var list = f.multiple || f.constraint === "List";
    var items = list ? t.split(",").map(function (s) { return s.trim(); }).filter(Boolean) : [t];
    for (var n = 0; n < items.length; n++) {
      var item = items[n];
      if (f.values && f.values.indexOf(item) < 0) {
        return f.friendly_name + ' has the value "' + item + '", which is not one of the allowed values (' +
          f.values.join(", ") + ").";
      }
      var fmt = f.format && formats[f.format];
      if (fmt && !fmt[0](item)) return f.friendly_name + " " + fmt[1](item) + ".";
    }
    return null;
  }

  function wire(box, rule) {
    var boxes = box.querySelectorAll("input[type=checkbox]");
    var control = box.querySelector("fieldset, input, select");
    var error = box.querySelector(".field-error");
    var value = function () {
      if (boxes.length) {
        return Array.prototype.filter.call(boxes, function (b) { return b.checked; })
          .map(function (b) { return b.value; }).join(", ");
      }
      return control.value;
    };
    var run = function () {
      var msg = check(rule, value());
      error.textContent = msg || "";
      box.classList.toggle("invalid", !!msg);
      if (msg) control.setAttribute("aria-invalid", "true");
      else control.removeAttribute("aria-invalid");
    };
    var touched = box.classList.contains("invalid");
    box.addEventListener("input", function () { if (touched) run(); });
    box.addEventListener("change", function () { touched = true; run(); });
    box.addEventListener("focusout", function () { touched = true; run(); });
  }

  fetch("/console/static/field-rules.json", { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (rules) {
      var byType = Object.assign({}, rules.supporting_document_types, rules.end_user_types);
      document.querySelectorAll(".field[data-rule-type]").forEach(function (box) {
        var fields = byType[box.getAttribute("data-rule-type")] || [];
        var name = box.getAttribute("data-rule-field");
        var rule = fields.filter(function (f) { return f.machine_name === name; })[0];
        if (rule) wire(box, rule);
      });
      document.documentElement.setAttribute("data-live-checks", "ready");
    })
    .catch(function () { /* the server still checks everything */ });
})();
