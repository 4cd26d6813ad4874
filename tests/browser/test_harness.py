"""The browser harness itself, against a one-form echo app: keyboard use, escaping, screenshots, phone width,
and a live server that cleans up after itself."""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask, render_template_string, request
from playwright.sync_api import Browser, Dialog, Page, expect

from tests.browser.conftest import REPO_ROOT
from tests.browser.harness import LiveServer

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Echo</title>
  <style>
    body { margin: 0; font-family: sans-serif; }
    main { max-width: 40rem; margin: 0 auto; padding: 1rem; }
    input { display: block; width: 100%; box-sizing: border-box; margin: .5rem 0; }
  </style>
</head>
<body>
  <main>
    <h1>Echo</h1>
    <form method="post">
      <label for="message">Message</label>
      <input id="message" name="message" autocomplete="off">
      <button type="submit">Send</button>
    </form>
    {% if said is not none %}<p id="result">You said: <output>{{ said }}</output></p>{% endif %}
    {% if wide %}<div style="width: 600px">A fixed 600px box: too wide for a phone.</div>{% endif %}
  </main>
</body>
</html>
"""

XSS = "<script>alert(1)</script>"


def create_echo_app() -> Flask:
    app = Flask(__name__)
    app.testing = True

    @app.route("/", methods=["GET", "POST"])
    def echo() -> str:
        said = request.form.get("message", "") if request.method == "POST" else None
        # render_template_string autoescapes.
        return render_template_string(PAGE, said=said, wide=False)

    @app.get("/wide")
    def wide() -> str:
        return render_template_string(PAGE, said=None, wide=True)

    return app


@pytest.fixture
def app_factory() -> Callable[[], Flask]:
    return create_echo_app


@pytest.fixture
def dialogs(page: Page) -> list[str]:
    """Messages of every alert/confirm/prompt the page opens (each is dismissed)."""
    seen: list[str] = []

    def record(dialog: Dialog) -> None:
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return seen


def focused_id(page: Page) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def hung_up(conn: socket.socket) -> bool:
    try:
        return conn.recv(1) == b""
    except ConnectionResetError:
        return True


def test_live_server_serves_the_app(live_server: str) -> None:
    assert live_server.startswith("http://127.0.0.1:")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{live_server}/") as response:
        assert response.status == 200
        assert "<title>Echo</title>" in response.read().decode()


def test_form_works_with_the_keyboard_alone(page: Page, live_server: str) -> None:
    page.goto("/")  # base_url is the live server
    expect(page).to_have_title("Echo")
    expect(page.get_by_label("Message")).to_have_id("message")  # the label names the field

    page.keyboard.press("Tab")
    assert focused_id(page) == "message"
    page.keyboard.type("hello, keyboard")
    page.keyboard.press("Enter")

    expect(page.locator("#result output")).to_have_text("hello, keyboard")
    assert page.url == f"{live_server}/"
    # The submit button is reachable too: field, then button.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send")).to_be_focused()


def test_submitted_markup_is_shown_as_text(page: Page, live_server: str, dialogs: list[str]) -> None:
    page.goto("/")
    page.get_by_label("Message").fill(XSS)
    page.get_by_label("Message").press("Enter")

    expect(page.locator("#result output")).to_have_text(XSS)
    assert page.locator("script").count() == 0
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content()
    assert dialogs == []
    # Control: the recorder does catch a dialog, so the empty list above means something.
    page.evaluate("() => alert('probe')")
    assert dialogs == ["probe"]


def test_screenshot_is_a_png_outside_the_repo(page: Page, live_server: str, screenshot: Callable[..., Path]) -> None:
    page.goto("/")
    path = screenshot(page, "echo form")
    assert path.is_file()
    assert path.stat().st_size > 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.parent.name.startswith("guildkit-shots-")
    assert not path.resolve().is_relative_to(REPO_ROOT)
    assert path.name == "test_screenshot_is_a_png_outside_the_repo--echo-form.png"
    assert screenshot(page, "echo form").name.endswith("--echo-form-2.png")  # never overwrites


def test_phone_width_has_no_horizontal_scroll(mobile_page: Page, live_server: str) -> None:
    mobile_page.goto("/")
    assert mobile_page.evaluate("window.innerWidth") == 390
    assert mobile_page.evaluate("document.documentElement.scrollWidth") <= 390
    # Control: a page with a 600px box does scroll sideways, so the check above can fail.
    mobile_page.goto("/wide")
    assert mobile_page.evaluate("document.documentElement.scrollWidth") > 390


def test_stop_ends_request_threads_and_closes_sockets(browser: Browser) -> None:
    before = set(threading.enumerate())
    server = LiveServer(create_echo_app()).start()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(server.url)
        expect(page).to_have_title("Echo")
        # A client that connects and sends nothing (as a browser's preconnect may): its request
        # thread blocks reading the request line until stop() cuts the connection.
        with socket.create_connection(("127.0.0.1", server.port)) as idle:
            deadline = time.monotonic() + 5
            while server.open_connections == 0 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert server.open_connections == 1
            started = time.perf_counter()
            server.stop()
            elapsed = time.perf_counter() - started
            assert hung_up(idle)
    finally:
        context.close()
    assert elapsed < 2
    assert server.open_connections == 0
    assert set(threading.enumerate()) - before == set()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()


def test_app_exceptions_are_kept() -> None:
    app = Flask(__name__)
    app.testing = True  # Flask re-raises instead of answering 500 itself

    @app.get("/")
    def boom() -> str:
        raise RuntimeError("boom")

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with LiveServer(app) as server:
        with pytest.raises(urllib.error.HTTPError) as failure:
            opener.open(f"{server.url}/")
        failure.value.close()
        assert failure.value.code == 500
    assert len(server.errors) == 1
    assert "RuntimeError: boom" in server.errors[0]
