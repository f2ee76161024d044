"""A second held-out phrase table for the offline demo assistant, written before the brain was touched again.

Written in one go from the issue's kinds of request (dates and times, priority words, repeats, smart lists,
rescheduling, several tasks in one message, reopen/restore, descriptions and long messages, small talk), in
the casual ways people type them, and committed before any rule was changed: nobody tuned the brain for
these words. The brain then understood 69% of them (36 of 52); the second round of general rules (rescheduling
and "is due" statements, stop repeating, prioritize, "isn't done"/"didn't finish", "bring back", question-form
lists, "schedule ...", "X tomorrow and Y on friday") was written after seeing those misses, so from then on
this set is no longer a blind measure (see `phrases_held_out_3.py` for one). Same entry format as `phrases.py`: (text, expected calls, history).
"""

from __future__ import annotations

from .phrases import LOOKUP, SMALL_TALK

P = {"status": "pending"}

HELD_OUT_2: list[tuple[str, object, str | None]] = [
    # --- dates and times on a new task -------------------------------------------------------------------
    (
        "can you add pick up dry cleaning on thursday",
        [("add_task", {"title": "pick up dry cleaning", "due": "thursday"})],
        None,
    ),
    (
        "don't forget to call the vet tomorrow morning",
        [("add_task", {"title": "call the vet", "due": "tomorrow morning"})],
        None,
    ),
    ("pls add send invoice by friday", [("add_task", {"title": "send invoice", "due": "friday"})], None),
    ("remind me to check the oven at 6pm", [("add_task", {"title": "check the oven", "due": "6pm"})], None),
    (
        "I need to book a table for saturday at 8pm",
        [("add_task", {"title": "book a table", "due": "saturday at 8pm"})],
        None,
    ),
    (
        "renew gym membership in 2 weeks",
        [("add_task", {"title": "renew gym membership", "due": "in 2 weeks"})],
        None,
    ),
    (
        "schedule a call with the accountant on monday at 11am",
        [("add_task", {"title": "call with the accountant", "due": "monday at 11am"})],
        None,
    ),
    ("add finish the slides by dec 1", [("add_task", {"title": "finish the slides", "due": "dec 1"})], None),
    (
        "return library books next week",
        [("add_task", {"title": "return library books", "due": "next week"})],
        None,
    ),
    # --- priority ----------------------------------------------------------------------------------------
    (
        "add an important task to call the insurance company",
        [("add_task", {"title": "call the insurance company", "priority": "high"})],
        None,
    ),
    ("fix the wifi, urgent", [("add_task", {"title": "fix the wifi", "priority": "high"})], None),
    (
        "can you add a low-priority task to tidy the desk",
        [("add_task", {"title": "tidy the desk", "priority": "low"})],
        None,
    ),
    ("mark task 6 as urgent", [("update_task", {"task_id": 6, "priority": "high"})], None),
    ("make walk the dog low priority", [LOOKUP, ("update_task", {"task_id": 9, "priority": "low"})], None),
    ("task 3 is high priority", [("update_task", {"task_id": 3, "priority": "high"})], None),
    # --- rescheduling ------------------------------------------------------------------------------------
    ("push task 4 to next week", [("update_task", {"task_id": 4, "due": "next week"})], None),
    (
        "reschedule task 11 for thursday at 3pm",
        [("update_task", {"task_id": 11, "due": "thursday at 3pm"})],
        None,
    ),
    ("can you move buy milk to saturday", [LOOKUP, ("update_task", {"task_id": 7, "due": "saturday"})], None),
    ("push walk the dog to tomorrow", [LOOKUP, ("update_task", {"task_id": 9, "due": "tomorrow"})], None),
    ("task 5 should be due on friday", [("update_task", {"task_id": 5, "due": "friday"})], None),
    ("clear the due date of task 3", [("update_task", {"task_id": 3, "due": None})], None),
    # --- repeats -----------------------------------------------------------------------------------------
    (
        "pay the credit card bill every month",
        [("add_task", {"title": "pay the credit card bill", "repeat": "every month"})],
        None,
    ),
    (
        "remind me to take my pills every day at 8am",
        [("add_task", {"title": "take my pills", "due": "8am", "repeat": "every day"})],
        None,
    ),
    ("add weekly team sync", [("add_task", {"title": "team sync", "repeat": "weekly"})], None),
    (
        "task 10 should repeat every tuesday",
        [("update_task", {"task_id": 10, "repeat": "every tuesday"})],
        None,
    ),
    ("task 8 doesn't repeat anymore", [("update_task", {"task_id": 8, "repeat": None})], None),
    # --- smart lists -------------------------------------------------------------------------------------
    ("what do I need to do today?", [("list_tasks", {**P, "due": "today"})], None),
    ("anything due tomorrow?", [("list_tasks", {**P, "due": "tomorrow"})], None),
    ("which tasks are overdue", [("list_tasks", {**P, "due": "overdue"})], None),
    ("show me urgent tasks", [("list_tasks", {**P, "priority": "high"})], None),
    ("what's due this week?", [("list_tasks", {**P, "due": "this_week"})], None),
    ("do I have anything without a due date?", [("list_tasks", {**P, "due": "no_date"})], None),
    ("look for tasks about insurance", [("list_tasks", {"status": "all", "query": "insurance"})], None),
    ("search tasks for passport", [("list_tasks", {"status": "all", "query": "passport"})], None),
    ("show my upcoming tasks", [("list_tasks", {**P, "due": "upcoming"})], None),
    ("what have I finished?", [("list_tasks", {"status": "completed"})], None),
    # --- several tasks in one message --------------------------------------------------------------------
    (
        "add buy stamps and post the letter",
        [("add_task", {"title": "buy stamps"}), ("add_task", {"title": "post the letter"})],
        None,
    ),
    (
        "remind me to call grandma on sunday and book the flights tomorrow",
        [
            ("add_task", {"title": "call grandma", "due": "sunday"}),
            ("add_task", {"title": "book the flights", "due": "tomorrow"}),
        ],
        None,
    ),
    (
        "add to my list: oil change, car wash and new tires",
        [
            ("add_task", {"title": "oil change"}),
            ("add_task", {"title": "car wash"}),
            ("add_task", {"title": "new tires"}),
        ],
        None,
    ),
    (
        "add pay rent on monday and call the landlord on tuesday",
        [
            ("add_task", {"title": "pay rent", "due": "monday"}),
            ("add_task", {"title": "call the landlord", "due": "tuesday"}),
        ],
        None,
    ),
    # --- reopen / restore --------------------------------------------------------------------------------
    ("task 4 isn't done yet", [("reopen_task", {"task_id": 4})], None),
    ("actually I haven't finished that", [("reopen_task", {"task_id": 8})], "completed_8"),
    ("undelete task 5", [("restore_task", {"task_id": 5})], None),
    ("put back the task I deleted", [("restore_task", {"task_id": 5})], "deleted_5"),
    ("can you restore the deleted task", [("restore_task", {"task_id": 5})], "deleted_5"),
    # --- descriptions and long messages ------------------------------------------------------------------
    (
        "add fix the bike. description: the back tyre is flat and the chain squeaks",
        [
            (
                "add_task",
                {"title": "fix the bike", "description": "the back tyre is flat and the chain squeaks"},
            )
        ],
        None,
    ),
    (
        "remind me to write the grant proposal tomorrow, details: the budget section and two letters of support",
        [
            (
                "add_task",
                {
                    "title": "write the grant proposal",
                    "due": "tomorrow",
                    "description": "the budget section and two letters of support",
                },
            )
        ],
        None,
    ),
    (
        "I have to organise the team offsite next month, which means finding a venue, booking the catering "
        "and sending out invitations to everyone on the team",
        [
            (
                "add_task",
                {
                    "title": "organise the team offsite",
                    "due": "next month",
                    "description": "which means finding a venue, booking the catering and sending out "
                    "invitations to everyone on the team",
                },
            )
        ],
        None,
    ),
    # --- small talk --------------------------------------------------------------------------------------
    ("thx", SMALL_TALK, None),
    ("good night", SMALL_TALK, None),
    ("that's great, thank you!", SMALL_TALK, None),
    ("hey, how's it going?", SMALL_TALK, None),
]
