/* Progressive enhancement for the server-rendered pages; every page works without it.
 *
 * - Countdowns ([data-due]) tick every second with the words the server wrote into
 *   #clock-strings; when one runs out, #announcer tells screen-reader users once.
 * - The answer form of an invitation ([data-inline-answer]) is sent to the API with
 *   fetch and the CSRF token; the result appears in place, in an aria-live region.
 * - Forms with files ([data-upload-progress]) show how much is uploaded.
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
      note: data.get("note") || ""
    };
  }

  // The API's one error shape: `detail` says what is wrong, and the fields' messages, when
  // there are any, say which; those are what a person can act on.
  function errorText(body) {
    if (!body || typeof body !== "object") { return ""; }
    var fields = Object.keys(body).filter(function (key) { return key !== "detail"; });
    if (!fields.length) { return body.detail ? String(body.detail) : ""; }
    return fields.map(function (key) {
      var value = body[key];
      return Array.isArray(value) ? value.join(" ") : String(value);
    }).join(" ");
  }

  function enhanceInlineAnswer(form) {
    var result = form.querySelector("[data-answer-result]");
    form.addEventListener("submit", function (event) {
      // Without a chosen answer, let the browser and the server explain what is missing.
      if (!form.querySelector("input[name=can_do]:checked")) { return; }
      event.preventDefault();
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
            result.textContent = form.getAttribute("data-failed") + " " + errorText(body);
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
    var main = document.getElementById("main");
    if (main) { main.focus(); }
  }

  function enhance(root) {
    root.querySelectorAll("form[data-inline-answer]").forEach(enhanceInlineAnswer);
    root.querySelectorAll("form[data-upload-progress]").forEach(enhanceUpload);
  }

  enhance(document);
  tickCountdowns();
  window.setInterval(tickCountdowns, 1000);
})();
