"""The task panel's smart sections, inline edit, and the time zone prompt and settings page, in real Chromium."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from .conftest import log_in, wait_connected

pytestmark = pytest.mark.browser


def add_task(page, title: str, *, date: dt.date | None = None, time: str = "", priority: str = "") -> None:
    page.fill("#new-task-title", title)
    if date:
        page.fill("#new-task-date", date.isoformat())
    if time:
        page.fill("#new-task-time", time)
    if priority:
        page.select_option("#new-task-priority", priority)
    page.click("#new-task-button")
    expect(page.locator("#pending-tasks .task-title", has_text=title)).to_be_visible()
    expect(page.locator("#new-task-title")).to_have_value("")  # the whole add form was reset


def section(page, key: str):
    return page.locator(f"#section-{key} .task-title")


def test_sections_and_inline_edit(chat_server, emulator, new_context, screenshot):
    # The account's zone is UTC (never chosen); a browser in UTC gets no prompt.
    context = new_context(timezone_id="UTC")
    page = context.new_page()
    log_in(page, chat_server)
    expect(page.locator("#tz-prompt")).to_be_hidden()
    today = dt.datetime.now(dt.UTC).date()

    add_task(page, "Pay rent", date=today - dt.timedelta(days=2), priority="high")
    add_task(page, "Call mum", date=today, time="23:59", priority="medium")
    add_task(page, "Plan the trip", date=today + dt.timedelta(days=3), priority="low")
    add_task(page, "Renew passport", date=today + dt.timedelta(days=40))
    add_task(page, "Read a book")

    expect(section(page, "overdue")).to_have_text(["Pay rent"])
    overdue_row = page.locator("#section-overdue .task").first
    expect(overdue_row).to_have_class("task is-overdue priority-high")
    expect(overdue_row.locator(".due.overdue .overdue-mark")).to_be_visible()
    expect(overdue_row.locator(".prio-high")).to_contain_text("High priority")  # words for screen readers
    expect(section(page, "today")).to_have_text(["Call mum"])
    expect(page.locator("#section-today .due")).to_have_text("Due Today 23:59")
    expect(section(page, "upcoming")).to_have_text(["Plan the trip"])
    expect(section(page, "later")).to_have_text(["Renew passport"])
    expect(section(page, "no_date")).to_have_text(["Read a book"])
    expect(page.locator("#pending-count")).to_have_text("5")
    screenshot(page, "desktop-task-sections")

    # Inline edit: title, due and priority, through task_update; the row moves to its new section.
    other_tab = context.new_page()
    other_tab.goto(f"{chat_server.url}/")
    wait_connected(other_tab)
    row = page.locator("#section-no_date .task", has_text="Read a book")
    row.locator(".task-edit").click()
    form = page.locator("form.task-edit")
    expect(form.locator("input[name=title]")).to_be_focused()
    form.locator("input[name=title]").fill("Read a novel")

    # A change from another tab re-renders the panel body: the open form and what was typed survive it.
    other_tab.locator("#new-task-title").fill("Water the plants")
    other_tab.locator("#new-task-title").press("Enter")
    expect(section(page, "no_date")).to_contain_text(["Water the plants"])
    expect(form.locator("input[name=title]")).to_have_value("Read a novel")

    form.locator("input[name=due_date]").fill(today.isoformat())
    form.locator("input[name=due_time]").fill("23:58")
    form.locator("select[name=priority]").select_option("high")
    form.locator("input[name=repeat]").fill("every blue moon")
    screenshot(page, "desktop-task-edit")
    form.locator("button[type=submit]").click()
    # A domain error shows in the panel; the form stays open with what was typed.
    expect(page.locator(".panel-error")).to_contain_text('couldn\'t read "every blue moon" as a repeat')
    expect(page.locator("form.task-edit input[name=title]")).to_have_value("Read a novel")
    expect(page.locator("form.task-edit input[name=title]")).to_be_focused()  # htmx autofocus, at settle

    page.locator("form.task-edit input[name=repeat]").fill("every day")
    page.locator("form.task-edit button[type=submit]").click()
    expect(page.locator("form.task-edit")).to_have_count(0)
    expect(section(page, "today")).to_have_text(["Read a novel", "Call mum"])  # by time: 23:58, 23:59
    edited = page.locator("#section-today .task", has_text="Read a novel")
    expect(edited.locator(".due")).to_have_text("Due Today 23:58")
    expect(edited.locator(".prio-high")).to_be_visible()
    expect(edited.locator(".repeat")).to_have_attribute("aria-label", "Repeats every day")
    expect(edited.locator(".task-edit")).to_be_focused()  # focus back on the row's Edit button
    expect(other_tab.locator("#section-today .task-title")).to_have_text(["Read a novel", "Call mum"])

    # Esc cancels an edit and puts the row back.
    page.locator("#section-later .task-edit").click()
    page.locator("form.task-edit input[name=title]").fill("Something else")
    page.keyboard.press("Escape")
    expect(page.locator("form.task-edit")).to_have_count(0)
    expect(section(page, "later")).to_have_text(["Renew passport"])

    # Completed is collapsed.
    page.locator("#section-overdue .check").click()
    expect(page.locator("#completed-count")).to_have_text("1")
    expect(page.locator("#completed-tasks .task-title")).to_be_hidden()
    page.click("#completed-section summary")
    expect(page.locator("#completed-tasks .task-title")).to_have_text(["Pay rent"])
    screenshot(page, "desktop-task-panel")

    # At phone width the panel is a drawer.
    phone = new_context(
        timezone_id="UTC", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ).new_page()
    log_in(phone, chat_server, username=page.evaluate("document.querySelector('.whoami').textContent"))
    phone.click(".tasks-toggle")
    expect(phone.locator("#task-panel-region")).to_be_in_viewport()
    expect(phone.locator("#section-today .task-title")).to_have_text(["Read a novel", "Call mum"])
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "mobile-task-sections")
    phone.locator("#section-today .task-edit").first.click()
    expect(phone.locator("form.task-edit")).to_be_visible()
    assert phone.evaluate("document.getElementById('task-panel-region').scrollWidth") <= 390
    screenshot(phone, "mobile-task-edit")


def test_the_browsers_time_zone_is_proposed_once(chat_server, emulator, new_context, screenshot):
    page = new_context(timezone_id="Asia/Tokyo").new_page()
    log_in(page, chat_server)

    prompt = page.locator("#tz-prompt")
    expect(prompt).to_be_visible()
    expect(prompt).to_contain_text("Use Asia/Tokyo as your time zone?")
    expect(page.locator("#tz-keep")).to_have_text("Keep UTC")
    screenshot(page, "desktop-timezone-prompt")

    page.click("#tz-use")
    expect(page.locator("#tz-saved-zone")).to_have_text("Asia/Tokyo")

    page.reload()
    wait_connected(page)
    expect(page.locator("#tz-prompt")).to_have_count(0)  # chosen: never proposed again

    page.click("#settings-link")
    expect(page.locator("#timezone-input")).to_have_value("Asia/Tokyo")
    expect(page.locator("#browser-zone-hint")).to_be_hidden()  # the browser's zone is already the one
    old_url = page.locator("#calendar-url").input_value()
    assert page.request.get(old_url).status == 200
    screenshot(page, "desktop-settings")

    page.fill("#timezone-input", "Europe/Paris")
    page.click("#timezone-save")
    expect(page.locator(".flash")).to_contain_text("Your time zone is now Europe/Paris.")
    expect(page.locator("#browser-zone-hint")).to_contain_text("Your browser says Asia/Tokyo")

    page.click("#regenerate-calendar")
    expect(page.locator(".flash")).to_contain_text("The old one no longer works.")
    new_url = page.locator("#calendar-url").input_value()
    assert new_url != old_url
    assert page.request.get(old_url).status == 404
    assert page.request.get(new_url).status == 200

    phone = new_context(
        timezone_id="Asia/Tokyo", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ).new_page()
    log_in(phone, chat_server)
    expect(phone.locator("#tz-prompt")).to_be_visible()
    screenshot(phone, "mobile-timezone-prompt")
    phone.click("#tz-keep")  # keeping UTC is a choice too
    expect(phone.locator("#tz-saved-zone")).to_have_text("UTC")
    phone.goto(f"{chat_server.url}/settings/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "mobile-settings")
