"""The accessibility statement: public, linked from every page's footer, with what the law asks for."""
from world import build, join, login


def test_the_statement_says_status_limits_contact_and_enforcement(client, app):
    page = client.get("/tilgaengelighed")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for part in ("Overholdelsesstatus", "delvist", "Indhold, der ikke er tilgængeligt", "Oplever du problemer?",
                 "Håndhævelse", "Klag til Digitaliseringsstyrelsen", "28. november 2026"):
        assert part in html, part
    assert "Kontakt koordinatoren for kommunens kerneopgaveprogram." in html


def test_the_contact_comes_from_configuration(client, app):
    app.config.update(ACCESSIBILITY_EMAIL="web@kommune.dk", ACCESSIBILITY_PHONE="70 12 34 56",
                      ACCESSIBILITY_STATEMENT_URL="https://www.was.digst.dk/kommune-dk")
    html = client.get("/tilgaengelighed").get_data(as_text=True)
    assert 'href="mailto:web@kommune.dk"' in html and 'href="tel:70123456"' in html
    assert 'href="https://www.was.digst.dk/kommune-dk"' in html
    assert "Kontakt koordinatoren" not in html


def test_every_page_links_to_it_from_the_footer(client, app):
    world = build()
    pages = ["/login", "/j", join(client, world.visit, "Mette")]
    login(client, world.coordinator.email)
    pages += ["/", "/audit", "/people", f"/visits/{world.visit.id}/projector", f"/processes/{world.process.id}"]
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        assert '<footer class="footer">\n    <a href="/tilgaengelighed">' in html, url


def test_it_is_read_only(client, app):
    assert client.post("/tilgaengelighed").status_code == 405
