"""What every page visited by a browser test must get right for people using it.

Run in the page, so that it sees what Chromium rendered: the computed colours, what is
visible, the labels the browser links to each control. It returns the problems in words.
"""

import re

from tests.kit.catalogues import english_shown_untranslated

# WCAG 2.1 AA: 4.5:1 for text, 3:1 for large text (24 px, or 18.66 px bold).
PAGE_PROBLEMS_SCRIPT = """
(language) => {
  const problems = [];
  const shown = (element) => {
    const style = getComputedStyle(element);
    if (style.visibility === "hidden" || style.display === "none") return false;
    const box = element.getBoundingClientRect();
    return box.width > 1 && box.height > 1;
  };
  const short = (element) => element.outerHTML.replace(/\\s+/g, " ").slice(0, 140);

  if (document.documentElement.lang !== language) {
    problems.push(`the page says lang="${document.documentElement.lang}", not "${language}"`);
  }
  if (!document.title.trim()) problems.push("the page has no title");
  const headings = document.querySelectorAll("h1");
  if (headings.length !== 1) problems.push(`${headings.length} h1 headings instead of one`);
  if (!document.querySelector("a.skip-link[href='#main']") || !document.getElementById("main")) {
    problems.push("no skip link to #main");
  }

  const accessibleName = (element) => {
    const label = element.getAttribute("aria-label");
    if (label && label.trim()) return label;
    const labelledBy = element.getAttribute("aria-labelledby");
    if (labelledBy) {
      const text = labelledBy.split(/\\s+/)
        .map((id) => (document.getElementById(id) || {}).textContent || "").join(" ").trim();
      if (text) return text;
    }
    if (element.labels && element.labels.length) {
      const text = Array.from(element.labels).map((label) => label.textContent).join(" ").trim();
      if (text) return text;
    }
    if (element.tagName === "INPUT" && ["submit", "button", "reset"].includes(element.type)) {
      return element.value;
    }
    if (element.tagName === "BUTTON" || element.tagName === "A" || element.tagName === "SUMMARY") {
      const text = element.textContent.trim();
      if (text) return text;
      const image = element.querySelector("img[alt]");
      if (image) return image.alt;
    }
    return element.getAttribute("title") || "";
  };
  const controls = "input, select, textarea, button, a[href], summary";
  for (const element of document.querySelectorAll(controls)) {
    if (element.type === "hidden" || element.closest("[aria-hidden='true']")) continue;
    if (element.tagName === "A" && !shown(element)) continue;
    if (!accessibleName(element).trim()) problems.push(`no accessible name: ${short(element)}`);
  }
  for (const image of document.querySelectorAll("img")) {
    if (!image.hasAttribute("alt")) problems.push(`an image without alt: ${short(image)}`);
  }
  const seen = {};
  for (const element of document.querySelectorAll("[id]")) {
    seen[element.id] = (seen[element.id] || 0) + 1;
  }
  for (const [id, count] of Object.entries(seen)) {
    if (count > 1) problems.push(`the id "${id}" is used ${count} times`);
  }
  const referring = "[aria-describedby], [aria-labelledby], label[for]";
  for (const element of document.querySelectorAll(referring)) {
    const references = [
      element.getAttribute("aria-describedby"), element.getAttribute("aria-labelledby"),
      element.getAttribute("for"),
    ].join(" ").split(/\\s+/).filter(Boolean);
    for (const id of references) {
      if (!document.getElementById(id)) {
        problems.push(`"${id}" is referred to but missing: ${short(element)}`);
      }
    }
  }
  for (const element of document.querySelectorAll("[tabindex]")) {
    if (parseInt(element.getAttribute("tabindex"), 10) > 0) {
      problems.push(`a positive tabindex breaks the focus order: ${short(element)}`);
    }
  }

  const rgba = (text) => {
    const match = /rgba?\\(([^)]+)\\)/.exec(text);
    if (!match) return null;
    const parts = match[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const over = (top, bottom) => {
    const alpha = top[3];
    return [0, 1, 2].map((i) => top[i] * alpha + bottom[i] * (1 - alpha)).concat([1]);
  };
  const backgroundOf = (element) => {
    const layers = [];
    for (let node = element; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== "none" || parseFloat(style.opacity) < 1) return null;
      const colour = rgba(style.backgroundColor);
      if (colour && colour[3] > 0) {
        layers.push(colour);
        if (colour[3] >= 1) break;
      }
    }
    return layers.reverse().reduce((bottom, top) => over(top, bottom), [255, 255, 255, 1]);
  };
  const luminance = (colour) => {
    const [r, g, b] = colour.slice(0, 3).map((value) => {
      const channel = value / 255;
      return channel <= 0.03928 ? channel / 12.92 : Math.pow((channel + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  for (const element of document.body.querySelectorAll("*")) {
    if (element.closest("svg, [aria-hidden='true']") || element.disabled) continue;
    const ownText = Array.from(element.childNodes)
      .filter((node) => node.nodeType === Node.TEXT_NODE)
      .map((node) => node.textContent).join("").trim();
    if (!ownText || !shown(element)) continue;
    const style = getComputedStyle(element);
    const background = backgroundOf(element);
    const foreground = rgba(style.color);
    if (!background || !foreground) continue;
    const text = over(foreground, background);
    const [lighter, darker] = [luminance(text), luminance(background)].sort((a, b) => b - a);
    const ratio = (lighter + 0.05) / (darker + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && parseInt(style.fontWeight, 10) >= 700);
    if (ratio < (large ? 3 : 4.5) - 0.01) {
      const what = `"${ownText.slice(0, 40)}": ${short(element)}`;
      problems.push(`contrast ${ratio.toFixed(2)}:1 for ${what}`);
    }
  }
  return problems;
}
"""

# Nothing may make the page scroll sideways. When something does, the culprit is the
# outermost element that reaches furthest right, outside any box that scrolls or clips it.
SIDEWAYS_SCROLL_SCRIPT = """
() => {
  const width = window.innerWidth;
  const overflow = document.documentElement.scrollWidth - width;
  if (overflow <= 0) return null;
  const clipped = (element) => {
    for (let node = element.parentElement; node !== document.body; node = node.parentElement) {
      if (getComputedStyle(node).overflowX !== "visible") return true;
    }
    return false;
  };
  let widest = null, right = width;
  for (const element of document.body.querySelectorAll("*")) {
    const reach = element.getBoundingClientRect().right + window.scrollX;
    if (reach > right && !clipped(element)) [widest, right] = [element, reach];
  }
  const html = widest ? widest.outerHTML.replace(/\\s+/g, " ").slice(0, 140) : "nothing found";
  return `the page is ${overflow} px wider than the screen (${width} px): ` +
    `widest ${html} reaches ${Math.round(right)} px`;
}
"""


def page_problems(page, language: str) -> list[str]:
    """Return what is wrong on the page for people: names, focus order, contrast, language."""
    problems = page.evaluate(PAGE_PROBLEMS_SCRIPT, language)
    if sideways := sideways_scroll(page):
        problems.append(sideways)
    return problems


def sideways_scroll(page) -> str | None:
    """Return how far the page makes its screen scroll sideways, and what reaches furthest."""
    return page.evaluate(SIDEWAYS_SCROLL_SCRIPT)


def untranslated_text(page) -> list[str]:
    """Return the English of the catalogue that a Japanese page shows as it is (its visible
    text, as the browser lays it out, line by line)."""
    text = re.sub(r"[^\S\n]+", " ", page.evaluate("() => document.body.innerText"))
    return [
        f"untranslated: {found[0]!r}"
        for pattern in english_shown_untranslated()
        if (found := pattern.search(text))
    ]
