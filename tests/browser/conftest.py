"""Browser tests: headless Debian Chromium driven by Playwright (sync API), against apps served on localhost.

Fixtures (see README.md in this folder):

* ``app_factory`` — override it: a zero-argument callable returning the WSGI app to serve.
* ``live_server`` — serves ``app_factory()`` on 127.0.0.1 from a background thread; yields the base URL.
* ``browser`` — one Chromium for the session (skips when it is missing; fails instead when $CI is set).
* ``page`` / ``mobile_page`` — a fresh context per test: 1280x900 desktop, or a 390x844 touch phone.
* ``screenshot`` — ``screenshot(page, name)`` saves a PNG in the session's shots folder, returns its path.

Every test under tests/browser/ gets the ``browser`` marker, so ``-m "not browser"`` leaves them out.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from tests.browser.harness import CHROMIUM_ARGS, LiveServer, chromium_missing_reason, chromium_path, in_ci
from tests.site_pages import ROLES, Site, crawl, seed_site
from tests.site_pages import Page as SitePage

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication
    from playwright.sync_api import Browser, Page, Playwright

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]

DEFAULT_TIMEOUT_MS = 10_000
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
MOBILE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
# Same rendering of dates and numbers on every machine.
CONTEXT_DEFAULTS = {"locale": "en-US", "timezone_id": "UTC"}


def _skip_or_fail(reason: str, *, whole_module: bool = False) -> NoReturn:
    if in_ci():
        pytest.fail(f"{reason} (CI is set, so browser tests fail instead of skipping)", pytrace=False)
    pytest.skip(reason, allow_module_level=whole_module)


try:
    import playwright.sync_api  # noqa: F401
except ImportError:
    PLAYWRIGHT_MISSING: str | None = "playwright is not installed: .venv/bin/pip install -e '.[dev]'"
else:
    PLAYWRIGHT_MISSING = None


class _UnimportableModule(pytest.Module):
    """A test module here that would fail to import playwright: skipped with the reason (failed in CI)."""

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        assert PLAYWRIGHT_MISSING is not None
        _skip_or_fail(PLAYWRIGHT_MISSING, whole_module=True)


class ShotFolder:
    """The session's screenshot folder, made on first use, outside the repository."""

    def __init__(self) -> None:
        self._path: Path | None = None

    @property
    def created(self) -> Path | None:
        return self._path

    @property
    def path(self) -> Path:
        if self._path is None:
            path = Path(tempfile.mkdtemp(prefix="guildkit-shots-")).resolve()
            if path.is_relative_to(REPO_ROOT):
                raise RuntimeError(f"screenshot folder {path} is inside the repository: point TMPDIR elsewhere")
            self._path = path
        return self._path

    def new_file(self, stem: str) -> Path:
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "shot"
        candidate = self.path / f"{stem}.png"
        n = 2
        while candidate.exists():
            candidate = self.path / f"{stem}-{n}.png"
            n += 1
        return candidate


SHOTS = pytest.StashKey[ShotFolder]()
CALL_REPORT = pytest.StashKey[pytest.TestReport]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives headless Chromium through Playwright (every test in tests/browser/)"
    )
    config.stash[SHOTS] = ShotFolder()


def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    # Without playwright, this folder's test modules (which import it at the top) are skipped, not
    # collection errors, so `-m "not browser"` runs still work.
    if PLAYWRIGHT_MISSING is not None and module_path.is_relative_to(HERE):
        return _UnimportableModule.from_parent(parent, path=module_path)
    return None


@pytest.hookimpl(tryfirst=True)  # before pytest's own -m deselection sees the items
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A conftest's hook sees the whole session's items: mark only those in this folder.
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    if report.when == "call":
        item.stash[CALL_REPORT] = report
    return report


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    folder = config.stash.get(SHOTS, None)
    if folder is not None and folder.created is not None:
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(str(folder.created))


# --- live server -------------------------------------------------------------------------------------------


@pytest.fixture
def app_factory() -> Callable[[], WSGIApplication]:
    """Override in a test module or conftest: return a callable that builds the app ``live_server`` serves."""
    pytest.fail(
        "live_server needs an app: define a fixture `app_factory` returning a zero-argument callable "
        "that builds the WSGI app, e.g. `return lambda: create_app({...})`",
        pytrace=False,
    )


@pytest.fixture
def live_server(app_factory: Callable[[], WSGIApplication]) -> Iterator[str]:
    """Serve ``app_factory()`` on 127.0.0.1:<free port>; yields the base URL (no trailing slash).

    At teardown every request thread and socket is closed. If the app raised while serving (Flask
    re-raises only with TESTING or PROPAGATE_EXCEPTIONS on), the test errors with the traceback.
    """
    app = app_factory()
    server = LiveServer(app).start()
    try:
        yield server.url
    finally:
        server.stop()
        _stop_jobs(app)
    if server.errors:
        pytest.fail(
            f"the app raised {len(server.errors)} exception(s) while serving; the first:\n{server.errors[0]}",
            pytrace=False,
        )


def _stop_jobs(app: WSGIApplication) -> None:
    """Stop the worker threads of jobs the served app queued (a console apply), as make_app does."""
    state = getattr(app, "extensions", {}).get("guildkit")
    if state is not None:
        with app.app_context():  # type: ignore[attr-defined]
            state.gk.jobs.stop()


# --- browser -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="session", name="playwright")
def playwright_fixture() -> Iterator[Playwright]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(request: pytest.FixtureRequest) -> Iterator[Browser]:
    """Debian's Chromium (never a Playwright download), headless, with the flags this machine needs."""
    path = chromium_path()
    reason = chromium_missing_reason(path)
    if reason is not None:
        _skip_or_fail(reason)
    pw: Playwright = request.getfixturevalue("playwright")
    chromium = pw.chromium.launch(executable_path=path, args=list(CHROMIUM_ARGS), headless=True)
    yield chromium
    chromium.close()


def _new_page(browser: Browser, request: pytest.FixtureRequest, options: dict[str, Any]) -> Iterator[Page]:
    options = {**CONTEXT_DEFAULTS, **options}
    if "live_server" in request.fixturenames:
        # Relative URLs work (page.goto("/login")), and the server outlives the context: the browser
        # hangs up before the server stops.
        options["base_url"] = request.getfixturevalue("live_server")
    context = browser.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        yield page
    finally:
        try:
            _screenshot_if_failed(page, request)
        finally:
            context.close()


def _screenshot_if_failed(page: Page, request: pytest.FixtureRequest) -> None:
    """After a failed test, keep what its page showed; the path is in the test's report."""
    from playwright.sync_api import Error

    report = request.node.stash.get(CALL_REPORT, None)
    if report is None or not report.failed or page.is_closed():
        return
    shot = request.config.stash[SHOTS].new_file(f"FAILED-{request.node.name}-{request.fixturename}")
    try:
        page.screenshot(path=shot, full_page=True)
    except Error as exc:
        request.node.add_report_section("teardown", "screenshot", f"no screenshot: {exc}")
    else:
        request.node.add_report_section("teardown", "screenshot", str(shot))


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page in a fresh context: 1280x900, en-US, UTC, 10 s default timeout."""
    yield from _new_page(browser, request, DESKTOP)


@pytest.fixture
def mobile_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page in a fresh phone-like context: 390x844, is_mobile, touch, 10 s default timeout."""
    yield from _new_page(browser, request, MOBILE)


# --- screenshots -------------------------------------------------------------------------------------------


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[..., Path]:
    """``screenshot(page, name, **options)``: a full-page PNG in the session's shots folder; returns its path.

    Files are named ``<test name>--<name>.png``; the folder (tempfile, prefix ``guildkit-shots-``) is
    printed at the end of the run.
    """
    folder = request.config.stash[SHOTS]

    def take(page: Page, name: str, **options: Any) -> Path:
        path = folder.new_file(f"{request.node.name}--{name}")
        page.screenshot(path=path, **{"full_page": True, **options})
        return path

    return take


# -- the seeded example app and its pages (tests.site_pages), shared by the checks of every page --


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The seeded example app, seeded once for the session (seeding takes tens of seconds)."""
    return seed_site(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="session")
def pages_by_role(site: Site) -> dict[str, list[SitePage]]:
    """Every page each role reaches by following links."""
    return {role: crawl(site, role) for role in ROLES}
