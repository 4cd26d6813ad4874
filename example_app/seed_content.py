"""Words for the seed command: people, questions, answers and comments that read like a real site."""

from __future__ import annotations

import random

NAMES = [
    *("Ada", "Alan", "Grace", "Linus", "Barbara", "Ken", "Dennis", "Margaret", "Guido", "Yukihiro"),
    *("Bjarne", "Edsger", "Donald", "Frances", "Radia", "Shafi", "Tim", "Vint", "Leslie", "Niklaus"),
    *("John", "Hedy", "Katherine", "Annie", "Sophie", "Karen", "Joan", "Mary", "Jean", "Evelyn"),
    *("Adele", "Ida", "Lynn", "Ruth", "Carol", "Dorothy", "Betty", "Kathleen", "Marlyn", "Gertrude"),
    *("Anita", "Hal", "Jim", "Fran", "Butler", "Corrado", "Alonzo", "Haskell", "Kristen", "Ole"),
]

# (technology, things people want to do with it)
TASKS: dict[str, list[str]] = {
    "Python": [
        "read a large CSV file without loading it all into memory",
        "sort a list of dicts by two keys",
        "run a function with a timeout",
        "parse ISO 8601 dates with time zones",
        "flatten a nested list",
        "make a dataclass immutable but still hashable",
        "type-hint a decorator that keeps the signature",
        "share state between asyncio tasks safely",
        "profile which function is slow",
        "package a CLI tool with an entry point",
        "retry an HTTP request with backoff",
        "read environment variables with defaults",
    ],
    "Flask": [
        "serve files from the instance folder",
        "use an app factory with blueprints",
        "return JSON errors from one blueprint only",
        "test a view that needs a logged-in user",
        "stream a large CSV download",
        "run code once at startup in every worker",
        "add CSRF protection without Flask-WTF",
        "keep the database session per request",
        "configure logging in production",
        "redirect back to the page a form was on",
    ],
    "SQL": [
        "get the latest row for each group",
        "count rows per day including days with none",
        "upsert a row on PostgreSQL and SQLite",
        "paginate without OFFSET",
        "find duplicates across two columns",
        "compute a running total",
        "lock a row while I read and update it",
        "index a column used with LOWER()",
        "delete all but the newest 100 rows",
        "store money without rounding errors",
    ],
    "Git": [
        "undo the last commit but keep the changes",
        "move commits to another branch",
        "find which commit introduced a bug",
        "remove a file from history",
        "resolve a conflict in a lock file",
        "rebase onto main without losing my merge",
        "see what changed in one function over time",
        "split one commit into two",
    ],
    "CSS": [
        "center a div vertically and horizontally",
        "make a table scroll horizontally on phones",
        "show a visible focus outline only for keyboard users",
        "make a sticky header that does not cover anchors",
        "truncate text with an ellipsis after two lines",
        "make a grid that wraps cards responsively",
        "respect prefers-reduced-motion",
        "style a button to look like a link",
    ],
    "JavaScript": [
        "debounce an input handler",
        "wait for several fetch calls at once",
        "deep-copy an object with dates",
        "format a number as currency for the user's locale",
        "cancel a fetch when the user navigates away",
        "sort strings with accents correctly",
        "detect clicks outside an element",
        "read a file the user picked",
    ],
    "Linux": [
        "find which process is using a port",
        "run a command every five minutes without cron",
        "see why my disk is full",
        "keep a process running after I log out",
        "limit the memory a process can use",
        "follow a log file that gets rotated",
        "copy files over SSH and resume if it fails",
        "change the time zone of a server",
    ],
    "Docker": [
        "make my image smaller",
        "cache pip installs between builds",
        "run migrations before the app starts",
        "pass secrets without baking them into the image",
        "see the logs of a container that keeps restarting",
        "use a different config in tests",
        "run a container as a non-root user",
    ],
    "SQLAlchemy": [
        "load a relationship without N+1 queries",
        "map a column to a Python enum",
        "use a partial unique index",
        "run raw SQL and still get ORM objects",
        "test against SQLite and PostgreSQL",
        "make a hybrid property that works in queries",
        "store timezone-aware datetimes on SQLite",
    ],
}

TITLE_PATTERNS = [
    "How do I {task} in {tech}?",
    "{tech}: what's the right way to {task}?",
    "Best way to {task} ({tech})",
    "How can I {task} with {tech}?",
    "Is there an idiomatic way to {task} in {tech}?",
]

PROBLEMS = [
    "I tried the first answers I found, but they either load everything into memory or are very slow.",
    "The documentation shows a simple case, but mine has to work in production with real data.",
    "It works on my machine and fails in CI, and I can't see what's different.",
    "I'd rather not add a dependency just for this if the standard tools can do it.",
    "My current version works, but it feels clumsy and a colleague said there is a cleaner way.",
    "I get no error at all: it just silently does the wrong thing on some inputs.",
    "Most examples I found are several years old and I'm not sure they still apply.",
    "Performance matters here: this runs thousands of times a minute.",
]

CONTEXTS = [
    "I'm on the latest stable release, on Debian.",
    "This is for a small internal tool, so simplicity beats cleverness.",
    "The team is new to this, so I'd like something easy to read.",
    "I have tests, so I can try suggestions quickly.",
    "Here is what I have so far; it works for the happy path only.",
    "Bonus points if it also works on macOS.",
]

ANSWER_OPENERS = [
    "The standard library already covers this.",
    "Short answer: don't do it by hand.",
    "You are close; the missing piece is ordering.",
    "This comes up a lot, and the answer depends on one thing: how big the input is.",
    "I ran into exactly this last month.",
    "There are two parts to this.",
    "The cleanest way I know is to let the database do the work.",
    "Your code is fine except for one line.",
]

ANSWER_MIDDLES = [
    "Read the input lazily and process it in chunks, so memory stays flat whatever the size.",
    "Do the work in one query instead of a loop; it is both shorter and much faster.",
    "Wrap it in a small function with a clear name and a test, and the clumsiness disappears.",
    "Move the setting into configuration and read it once at startup.",
    "Use a context manager so the cleanup happens even when something raises.",
    "Pin the version in CI and locally; the difference you see is almost certainly the version.",
    "Add an index on the column you filter by; the planner will pick it up on its own.",
    "Keep the state in one place and pass it explicitly; globals are what bite you here.",
    "Check the return value: it fails silently because the error is swallowed two lines up.",
    "Measure first: in my experience the slow part is rarely the one you'd guess.",
]

ANSWER_CLOSERS = [
    "I've used this in production for a couple of years without trouble.",
    "The documentation has a section on exactly this, linked from the FAQ.",
    "If you need it to work on older versions, there is a slightly longer variant.",
    "Hope that helps!",
    "Edge cases: empty input and very large input both work with this approach.",
    "One caveat: it is not thread-safe, so keep it per request.",
    "",
]

COMMENTS = [
    "Which version are you on?",
    "Can you share the exact error message?",
    "This worked for me, thanks!",
    "Note that this changed in the latest release.",
    "Have you tried running it with verbose logging?",
    "+1, this saved me an afternoon.",
    "What does the input look like? A small sample would help.",
    "Careful: this breaks if the list is empty.",
    "Possible duplicate of an older question, but the answers there are outdated.",
    "Nice, much cleaner than what I had.",
    "Does this also work on Windows?",
    "Thanks, edited the question with more details.",
]


class Writer:
    """Makes up questions, answers and comments, without repeating a title."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        pairs = [(tech, task) for tech, tasks in TASKS.items() for task in tasks]
        rng.shuffle(pairs)
        self.pairs = pairs
        self.used = 0

    def question(self) -> tuple[str, str]:
        tech, task = self.pairs[self.used % len(self.pairs)]
        round_ = self.used // len(self.pairs)
        self.used += 1
        pattern = TITLE_PATTERNS[(self.used + round_) % len(TITLE_PATTERNS)]
        title = pattern.format(task=task, tech=tech)
        title = title[0].upper() + title[1:]
        body = " ".join(
            [
                f"I need to {task} in {tech}.",
                self.rng.choice(PROBLEMS),
                self.rng.choice(CONTEXTS),
                "What would you recommend?",
            ]
        )
        return title, body

    def answer(self) -> str:
        parts = [
            self.rng.choice(ANSWER_OPENERS),
            *self.rng.sample(ANSWER_MIDDLES, self.rng.randint(1, 2)),
            self.rng.choice(ANSWER_CLOSERS),
        ]
        return " ".join(p for p in parts if p)

    def comment(self) -> str:
        return self.rng.choice(COMMENTS)
