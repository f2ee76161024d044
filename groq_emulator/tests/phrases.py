"""The phrase table of the offline demo assistant: plain requests and the tool calls they must produce.

Every phrase here was written before the brain was taught dates, priorities, repeats, smart lists, several
tasks, reopen/restore and small talk. `TUNED` is what the brain was then developed against; `HELD_OUT` was
written at the same time in other words and never tuned for (a miss there stays a miss: report, don't fix).

An entry is (text, expected calls, history). Expected calls are (tool, arguments) in order, the lookups
included; `SMALL_TALK` means "no tool call, and a short friendly answer instead of the help text".
History names a canned earlier exchange (see test_intents.HISTORIES) or is None.
"""

from __future__ import annotations

SMALL_TALK = "small_talk"
P = {"status": "pending"}
LOOKUP = ("list_tasks", P)  # the brain lists pending tasks to find a task named by its title

TUNED: list[tuple[str, object, str | None]] = [
    # --- dates and times on a new task -------------------------------------------------------------------
    ("call mom tomorrow at 5pm", [("add_task", {"title": "call mom", "due": "tomorrow at 5pm"})], None),
    ("dentist on friday", [("add_task", {"title": "dentist", "due": "friday"})], None),
    ("pay rent by dec 24", [("add_task", {"title": "pay rent", "due": "dec 24"})], None),
    (
        "remind me to water the plants in 3 days",
        [("add_task", {"title": "water the plants", "due": "in 3 days"})],
        None,
    ),
    (
        "add a task to submit the report next monday",
        [("add_task", {"title": "submit the report", "due": "next monday"})],
        None,
    ),
    ("add book flights on 2026-12-01", [("add_task", {"title": "book flights", "due": "2026-12-01"})], None),
    (
        "add pick up the kids today at 3:30pm",
        [("add_task", {"title": "pick up the kids", "due": "today at 3:30pm"})],
        None,
    ),
    (
        "submit tax return by april 15",
        [("add_task", {"title": "submit tax return", "due": "april 15"})],
        None,
    ),
    (
        "meeting with Sarah on tuesday at 2pm",
        [("add_task", {"title": "meeting with Sarah", "due": "tuesday at 2pm"})],
        None,
    ),
    ("add gym session in 2 weeks", [("add_task", {"title": "gym session", "due": "in 2 weeks"})], None),
    ("add call the bank at 9am", [("add_task", {"title": "call the bank", "due": "9am"})], None),
    # --- priority ----------------------------------------------------------------------------------------
    (
        "add an urgent task to fix the leaking tap",
        [("add_task", {"title": "fix the leaking tap", "priority": "high"})],
        None,
    ),
    ("add buy milk, low priority", [("add_task", {"title": "buy milk", "priority": "low"})], None),
    (
        "important: renew car insurance",
        [("add_task", {"title": "renew car insurance", "priority": "high"})],
        None,
    ),
    (
        "add a high priority task to call the plumber",
        [("add_task", {"title": "call the plumber", "priority": "high"})],
        None,
    ),
    (
        "add medium priority task: clean the garage",
        [("add_task", {"title": "clean the garage", "priority": "medium"})],
        None,
    ),
    (
        "urgent: pay the electricity bill tomorrow",
        [("add_task", {"title": "pay the electricity bill", "due": "tomorrow", "priority": "high"})],
        None,
    ),
    # --- changing due date / priority / repeat of an existing task ----------------------------------------
    ("make task 4 high priority", [("update_task", {"task_id": 4, "priority": "high"})], None),
    ("set the priority of task 2 to low", [("update_task", {"task_id": 2, "priority": "low"})], None),
    ("move task 5 to friday", [("update_task", {"task_id": 5, "due": "friday"})], None),
    (
        "change the due date of task 3 to next tuesday",
        [("update_task", {"task_id": 3, "due": "next tuesday"})],
        None,
    ),
    ("remove the due date from task 6", [("update_task", {"task_id": 6, "due": None})], None),
    ("make task 3 repeat every friday", [("update_task", {"task_id": 3, "repeat": "every friday"})], None),
    ("move buy milk to tomorrow", [LOOKUP, ("update_task", {"task_id": 7, "due": "tomorrow"})], None),
    # --- repeats -----------------------------------------------------------------------------------------
    (
        "water the plants every monday",
        [("add_task", {"title": "water the plants", "repeat": "every monday"})],
        None,
    ),
    ("add take vitamins daily", [("add_task", {"title": "take vitamins", "repeat": "daily"})], None),
    (
        "pay rent every 1st",
        [("add_task", {"title": "pay rent", "repeat": "every 1st"})],
        None,
    ),  # the example
    (
        "add pay the nanny on the 15th of every month",
        [("add_task", {"title": "pay the nanny", "repeat": "on the 15th of every month"})],
        None,
    ),
    ("remind me to pay rent monthly", [("add_task", {"title": "pay rent", "repeat": "monthly"})], None),
    (
        "mow the lawn every 2 weeks",
        [("add_task", {"title": "mow the lawn", "repeat": "every 2 weeks"})],
        None,
    ),
    ("add call dad every sunday", [("add_task", {"title": "call dad", "repeat": "every sunday"})], None),
    # --- smart lists -------------------------------------------------------------------------------------
    ("what's due today", [("list_tasks", {"status": "pending", "due": "today"})], None),
    ("what's overdue", [("list_tasks", {"status": "pending", "due": "overdue"})], None),
    ("show high priority tasks", [("list_tasks", {"status": "pending", "priority": "high"})], None),
    ("find tasks about taxes", [("list_tasks", {"status": "all", "query": "taxes"})], None),
    ("what do I have tomorrow", [("list_tasks", {"status": "pending", "due": "tomorrow"})], None),
    ("show me this week's tasks", [("list_tasks", {"status": "pending", "due": "this_week"})], None),
    ("list tasks without a due date", [("list_tasks", {"status": "pending", "due": "no_date"})], None),
    ("show my low priority tasks", [("list_tasks", {"status": "pending", "priority": "low"})], None),
    ("search for dentist", [("list_tasks", {"status": "all", "query": "dentist"})], None),
    # --- several tasks in one message --------------------------------------------------------------------
    (
        "add milk, eggs and bread",
        [("add_task", {"title": "milk"}), ("add_task", {"title": "eggs"}), ("add_task", {"title": "bread"})],
        None,
    ),
    (
        "add tasks: walk the dog and feed the cat",
        [("add_task", {"title": "walk the dog"}), ("add_task", {"title": "feed the cat"})],
        None,
    ),
    (
        "add apples, bananas, oranges",
        [
            ("add_task", {"title": "apples"}),
            ("add_task", {"title": "bananas"}),
            ("add_task", {"title": "oranges"}),
        ],
        None,
    ),
    (
        "remind me to call mom, email Bob and book the venue",
        [
            ("add_task", {"title": "call mom"}),
            ("add_task", {"title": "email Bob"}),
            ("add_task", {"title": "book the venue"}),
        ],
        None,
    ),
    # --- reopen / restore --------------------------------------------------------------------------------
    ("reopen task 3", [("reopen_task", {"task_id": 3})], None),
    ("undo that delete", [("restore_task", {"task_id": 5})], "deleted_5"),
    ("restore task 12", [("restore_task", {"task_id": 12})], None),
    ("mark task 4 as not done", [("reopen_task", {"task_id": 4})], None),
    ("uncheck task 6", [("reopen_task", {"task_id": 6})], None),
    ("undo", [("reopen_task", {"task_id": 8})], "completed_8"),
    # --- descriptions and long messages ------------------------------------------------------------------
    (
        "add call the plumber, description: the kitchen sink leaks under the cabinet",
        [
            (
                "add_task",
                {"title": "call the plumber", "description": "the kitchen sink leaks under the cabinet"},
            )
        ],
        None,
    ),
    (
        "I need to prepare the quarterly presentation for the board meeting, including the revenue figures, "
        "the hiring plan and an update on the new office move which has been delayed twice",
        [
            (
                "add_task",
                {
                    "title": "prepare the quarterly presentation for the board meeting",
                    "description": "including the revenue figures, the hiring plan and an update on the new "
                    "office move which has been delayed twice",
                },
            )
        ],
        None,
    ),
    (
        "add renew passport with notes: bring two photos and the old passport",
        [("add_task", {"title": "renew passport", "description": "bring two photos and the old passport"})],
        None,
    ),
    # --- small talk --------------------------------------------------------------------------------------
    ("thanks!", SMALL_TALK, None),
    ("hi", SMALL_TALK, None),
    ("how are you", SMALL_TALK, None),
    ("thank you so much", SMALL_TALK, None),
    ("good morning", SMALL_TALK, None),
    # --- the basics still work ---------------------------------------------------------------------------
    ("complete task 3", [("complete_task", {"task_id": 3})], None),
    ("delete task 2", [("delete_task", {"task_id": 2})], None),
    ("show my pending tasks", [("list_tasks", {"status": "pending"})], None),
]

HELD_OUT: list[tuple[str, object, str | None]] = [
    (
        "schedule a haircut for next friday at 10am",
        [("add_task", {"title": "haircut", "due": "next friday at 10am"})],
        None,
    ),
    (
        "remind me to take out the trash tonight",
        [("add_task", {"title": "take out the trash", "due": "tonight"})],
        None,
    ),
    (
        "I need to renew my passport by march 3",
        [("add_task", {"title": "renew my passport", "due": "march 3"})],
        None,
    ),
    (
        "remind me to email the landlord, it's important",
        [("add_task", {"title": "email the landlord", "priority": "high"})],
        None,
    ),
    ("task 7 is due tomorrow", [("update_task", {"task_id": 7, "due": "tomorrow"})], None),
    ("postpone task 2 until monday", [("update_task", {"task_id": 2, "due": "monday"})], None),
    ("stop repeating task 8", [("update_task", {"task_id": 8, "repeat": None})], None),
    (
        "add team standup every weekday at 9am",
        [("add_task", {"title": "team standup", "due": "9am", "repeat": "every weekday"})],
        None,
    ),
    ("what's coming up", [("list_tasks", {"status": "pending", "due": "upcoming"})], None),
    ("any tasks mentioning groceries?", [("list_tasks", {"status": "all", "query": "groceries"})], None),
    ("what's on my plate today?", [("list_tasks", {"status": "pending", "due": "today"})], None),
    (
        "show completed tasks about the report",
        [("list_tasks", {"status": "completed", "query": "report"})],
        None,
    ),
    (
        "what urgent things are overdue?",
        [("list_tasks", {"status": "pending", "due": "overdue", "priority": "high"})],
        None,
    ),
    (
        "add call mom tomorrow and dentist on friday",
        [
            ("add_task", {"title": "call mom", "due": "tomorrow"}),
            ("add_task", {"title": "dentist", "due": "friday"}),
        ],
        None,
    ),
    (
        "put eggs, flour and sugar on my list",
        [("add_task", {"title": "eggs"}), ("add_task", {"title": "flour"}), ("add_task", {"title": "sugar"})],
        None,
    ),
    ("bring back the task I just deleted", [("restore_task", {"task_id": 5})], "deleted_5"),
    ("I didn't finish task 2 after all", [("reopen_task", {"task_id": 2})], None),
    ("cheers", SMALL_TALK, None),
    ("hello there!", SMALL_TALK, None),
    ("ok thanks, that's all", SMALL_TALK, None),
    (
        "buy a birthday present for Anna before saturday",
        [("add_task", {"title": "buy a birthday present for Anna", "due": "saturday"})],
        None,
    ),
    ("add walk the dog every day", [("add_task", {"title": "walk the dog", "repeat": "every day"})], None),
    ("prioritize task 9", [("update_task", {"task_id": 9, "priority": "high"})], None),
    ("is anything overdue?", [("list_tasks", {"status": "pending", "due": "overdue"})], None),
    ("restore it", [("restore_task", {"task_id": 5})], "deleted_5"),
    (
        "show me what I have to do this week",
        [("list_tasks", {"status": "pending", "due": "this_week"})],
        None,
    ),
    (
        "add a low priority task to sort old photos",
        [("add_task", {"title": "sort old photos", "priority": "low"})],
        None,
    ),
]
