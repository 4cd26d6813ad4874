"""Runs in the peer's own venv (Python 3.6): the rule set and the members in gamification-engine.

    <venv>/bin/python gengine_setup.py <config.ini> <members>

One subject type ``User`` with ``members`` subjects, a variable ``answer_upvoted`` and two
achievements evaluated immediately on it: ``reputation`` (the points rule: its level is the
count, 1 per call, up to 1,000,000) and ``popular`` (a 3-level count badge: 10, 20, 30).
"""

import sys

import transaction
from pyramid.paster import bootstrap


def main(config, members):
    env = bootstrap(config)
    from gengine.app.model import Achievement, SubjectType, Variable, t_subjects
    from gengine.metadata import DBSession

    with transaction.manager:
        user = SubjectType(name="User")
        DBSession.add(user)
        DBSession.flush()
        DBSession.add(Variable(name="answer_upvoted", increase_permission="admin"))
        condition = '{"term": {"type": "literal", "variable": "answer_upvoted"}}'
        for name, maxlevel, goal in (("reputation", 1000000, "level"), ("popular", 3, "10*level")):
            DBSession.add(
                Achievement(
                    name=name,
                    maxlevel=maxlevel,
                    hidden=False,
                    evaluation="immediately",
                    comparison_type="none",
                    player_subjecttype_id=user.id,
                    view_permission="everyone",
                    condition=condition,
                    goal=goal,
                    operator="geq",
                )
            )
        DBSession.flush()
        DBSession.execute(
            t_subjects.insert(),
            [{"id": n, "subjecttype_id": user.id, "name": f"u{n}", "timezone": "UTC"} for n in range(1, members + 1)],
        )
        DBSession.execute(f"SELECT setval(pg_get_serial_sequence('subjects', 'id'), {members + 1})")
    env["closer"]()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
