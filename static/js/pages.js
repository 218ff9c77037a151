/* Progressive enhancement for the server-rendered pages; every page works without it.
 *
 * - Countdowns ([data-due]) tick every second with the words the server wrote into
 *   #clock-strings; when one runs out, #announcer tells screen-reader users once.
 * - The answer form of an invitation ([data-inline-answer]) is sent to the API with
 *   fetch and the CSRF token; the result appears in place, in an aria-live region, and a
 *   refusal's messages beside the fields they are about.
 * - Forms with files ([data-upload-progress]) show how much is uploaded.
 * - A refused step's page (#problem, see templates/includes/problem.html) opens with its
 *   first error's field focused (the server marks it autofocus); the script also brings
 *   the field's label and message into view, and so does a link of the error summary.
 */
(function () {
  "use strict";

  var strings = {};
  var stringsNode = document.getElementById("clock-strings");
  if (stringsNode) {
    strings = JSON.parse(stringsNode.textContent);
  }

  function fill(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (match, name) {
      return values[name] === undefined ? match : values[name];
    });
  }

  /* The same rules as span_text in brokerage/templatetags/clocks.py. */
  function spanText(seconds) {
    seconds = Math.floor(Math.abs(seconds));
    var days = Math.floor(seconds / 86400);
    var hours = Math.floor((seconds % 86400) / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var rest = seconds % 60;
    if (days) { return fill(strings.days, { days: days, hours: hours }); }
    if (hours) { return fill(strings.hours, { hours: hours, minutes: minutes }); }
    if (minutes >= 10) { return fill(strings.minutes, { minutes: minutes }); }
    return fill(strings.seconds, { minutes: minutes, seconds: rest });
  }

  function tickCountdowns() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (node) {
      var due = Date.parse(node.getAttribute("data-due"));
      if (isNaN(due)) { return; }
      var remaining = (due - now) / 1000;
      var overdue = remaining < 0;
      var text = fill(overdue ? strings.overdue : strings.left, { time: spanText(remaining) });
      if (node.textContent !== text) { node.textContent = text; }
      if (overdue && !node.classList.contains("overdue")) {
        node.classList.add("overdue");
        announce(fill(strings.passed, { label: node.getAttribute("data-label") || "" }));
      }
    });
  }

  function announce(text) {
    var announcer = document.getElementById("announcer");
    if (announcer) { announcer.textContent = text; }
  }

  function csrfToken(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function answerPayload(form) {
    var data = new FormData(form);
    var numberOrNull = function (name) {
      var value = (data.get(name) || "").trim();
      return value === "" ? null : Number(value);
    };
    return {
      can_do: data.get("can_do") === "yes",
      price: numberOrNull("price"),
      lead_time_days: numberOrNull("lead_time_days"),
      note: data.get("note") || "",
      line_description: data.get("line_description") || ""
    };
  }

  function messagesOf(value) {
    return Array.isArray(value) ? value.map(String) : [String(value)];
  }

  function labelOf(input) {
    var label = input.id ? document.querySelector("label[for='" + input.id + "']") : null;
    return label ? label.textContent.trim().replace(/[:\uff1a]$/, "") : input.name;
  }

  function clearFieldErrors(form) {
    form.querySelectorAll("[data-inline-error]").forEach(function (node) { node.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (input) {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    });
  }

  /* Put each field's messages of the API's one error shape (`detail`, and the messages per
   * field beside it) beside that field, as the server's pages do; return the texts to say
   * in place, each naming its field, and focus the first field. */
  function showFieldErrors(form, body) {
    if (!body || typeof body !== "object") { return []; }
    var texts = [];
    var first = null;
    Object.keys(body).filter(function (key) { return key !== "detail"; }).forEach(function (key) {
      var input = form.querySelector("[name='" + key + "']");
      var messages = messagesOf(body[key]);
      if (!input) { texts.push(messages.join(" ")); return; }
      var list = document.createElement("ul");
      list.className = "errorlist";
      list.id = (input.id || key) + "_error";
      list.setAttribute("data-inline-error", "");
      messages.forEach(function (message) {
        var item = document.createElement("li");
        item.textContent = message;
        list.appendChild(item);
      });
      input.parentNode.insertBefore(list, input);
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", list.id);
      texts.push(labelOf(input) + ": " + messages.join(" "));
      first = first || input;
    });
    if (!texts.length && body.detail) { texts.push(String(body.detail)); }
    if (first) { bringIntoView(first); }
    return texts;
  }

  function enhanceInlineAnswer(form) {
    var result = form.querySelector("[data-answer-result]");
    form.addEventListener("submit", function (event) {
      // Without a chosen answer, let the browser and the server explain what is missing.
      if (!form.querySelector("input[name=can_do]:checked")) { return; }
      event.preventDefault();
      clearFieldErrors(form);
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      fetch(form.getAttribute("data-inline-answer"), {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "Accept": "application/json",
          "X-CSRFToken": csrfToken(form)
        },
        body: JSON.stringify(answerPayload(form))
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) {
            result.classList.add("failed");
            result.textContent = [form.getAttribute("data-failed")]
              .concat(showFieldErrors(form, body)).join(" ");
            return;
          }
          result.classList.remove("failed");
          result.textContent = form.getAttribute("data-saved");
          var status = document.querySelector("[data-answer-status]");
          var label = form.getAttribute("data-label-" + body.status);
          if (status && label) {
            status.textContent = label;
            status.className = "status status-" + body.status;
          }
        });
      }).catch(function () {
        // The network failed: fall back to the ordinary form post.
        form.submit();
      }).finally(function () {
        button.disabled = false;
      });
    });
  }

  function enhanceUpload(form) {
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      var hasFiles = Array.prototype.some.call(
        form.querySelectorAll("input[type=file]"),
        function (input) { return input.files && input.files.length > 0; }
      );
      // Only uploads need a progress bar; "Suggest" and file-less posts go the usual way.
      if (!hasFiles || (submitter && submitter.name === "suggest")) { return; }
      event.preventDefault();
      var data = new FormData(form);
      if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
      var box = document.createElement("div");
      box.className = "upload-progress";
      box.setAttribute("role", "status");
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      var label = document.createElement("span");
      box.appendChild(label);
      box.appendChild(bar);
      form.appendChild(box);
      var lastStep = -1;
      var request = new XMLHttpRequest();
      request.open("POST", form.action || window.location.href);
      request.upload.addEventListener("progress", function (progress) {
        if (!progress.lengthComputable) { return; }
        var percent = Math.round((progress.loaded / progress.total) * 100);
        bar.value = percent;
        // Announce in steps of 25% so a screen reader is not flooded.
        var step = Math.floor(percent / 25);
        if (step !== lastStep) {
          lastStep = step;
          label.textContent = percent + "%";
        }
      });
      request.addEventListener("load", function () {
        showResponse(request.responseText, request.responseURL);
      });
      request.addEventListener("error", function () {
        box.remove();
        form.submit();
      });
      request.send(data);
    });
  }

  /* Show the page the server answered with, as if the browser had posted the form. */
  function showResponse(html, url) {
    var page = new DOMParser().parseFromString(html, "text/html");
    document.title = page.title;
    document.body.replaceWith(document.adoptNode(page.body));
    if (url && url !== window.location.href) {
      window.history.pushState({}, "", url);
    }
    enhance(document);
    if (!showFirstError(document)) {
      var main = document.getElementById("main");
      if (main) { main.focus(); }
    }
  }

  /* Focus a field and show it with its label and message (the .field or fieldset around
   * it), not at the very edge of the screen. */
  function bringIntoView(element) {
    element.focus({ preventScroll: true });
    var around = element.closest(".field, fieldset, .form-errors") || element;
    around.scrollIntoView({ block: "center" });
  }

  /* Return whether the page shows a refused step's errors, after going to the first. */
  function showFirstError(root) {
    var summary = root.querySelector("#problem");
    if (!summary) { return false; }
    var first = root.querySelector("[autofocus]");
    bringIntoView(first || summary);
    return true;
  }

  function enhanceErrorSummary(root) {
    root.querySelectorAll("#problem a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) { return; }
        event.preventDefault();
        bringIntoView(target);
      });
    });
  }

  function enhance(root) {
    root.querySelectorAll("form[data-inline-answer]").forEach(enhanceInlineAnswer);
    root.querySelectorAll("form[data-upload-progress]").forEach(enhanceUpload);
    enhanceErrorSummary(root);
  }

  enhance(document);
  showFirstError(document);
  tickCountdowns();
  window.setInterval(tickCountdowns, 1000);
})();
