"""Every page a person can reach by following links, read once: for the checks that look at all of
them (typed markup stays text, every page is valid HTML, an anonymised person is gone from all)."""
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

TEXT_TYPES = {"text", "email", "search", "tel", "url", "password", "date", None}
NOT_FOLLOWED = re.compile(r"/logout|/language/|/static/|\.(csv|ics)$|/calendar/")
MAX_PAGES = 80


class Page(HTMLParser):
    """The forms, live fields, links and any live markup of an HTML answer."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.html = html
        self.forms, self.live_fields, self.links, self.alive = [], [], [], []
        self._form = None
        self._select = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if any(name.startswith("on") for name in a):
            self.alive.append(f"<{tag} {a}>")
        if tag == "script" and "src" not in a and a.get("type") != "application/json":
            self.alive.append("<script> without src")
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form":
            method = (a.get("method") or ("post" if "hx-post" in a else "get")).lower()
            # A box for new ideas or tasks is sent by static/kerne.js, with the id it gives each item.
            self._form = {"action": a.get("hx-post") or a.get("action") or "", "method": method, "fields": [],
                          "box": "data-box" in a}
            self.forms.append(self._form)
        if ("data-live" in a and a.get("data-save-url") and tag in ("textarea", "input")
                and a.get("type") in TEXT_TYPES and "readonly" not in a):
            self.live_fields.append((a["data-save-url"], a.get("data-base", "")))
        if self._form is None or "data-live" in a:
            return
        if tag == "input" and a.get("name") and not (a.get("type") == "checkbox" and "checked" not in a):
            self._form["fields"].append({"name": a["name"], "type": a.get("type") or "text", "value": a.get("value", "")})
        elif tag == "textarea" and a.get("name"):
            self._form["fields"].append({"name": a["name"], "type": "textarea", "value": ""})
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "type": "select", "value": None}
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None and (self._select["value"] in (None, "") or "selected" in a):
            self._select["value"] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def crawl(client, starts) -> dict[str, Page]:
    """Every page reachable by links from ``starts`` (same site), read once."""
    pages, queue = {}, list(starts)
    while queue and len(pages) < MAX_PAGES:
        path = queue.pop(0)
        if path in pages or NOT_FOLLOWED.search(path):
            continue
        response = client.get(path)
        assert response.status_code < 500, path
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        pages[path] = page = Page(response.get_data(as_text=True))
        for link in page.links:
            target = urlsplit(urljoin(path, link))
            if not target.netloc or target.netloc == "localhost":
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return pages
