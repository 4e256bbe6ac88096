"""When a scheduled job fires next: the Hub's @aliases and five-field cron expressions, in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

ALIASES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))


def _values(field: str, low: int, high: int) -> set[int]:
    values: set[int] = set()
    for part in field.split(","):
        body, slash, step_text = part.partition("/")
        step = int(step_text) if slash else 1
        if body == "*":
            start, end = low, high
        elif "-" in body:
            first, last = body.split("-", 1)
            start, end = int(first), int(last)
        else:
            start = int(body)
            end = high if slash else start
        if step < 1 or not low <= start <= end <= high:
            raise ValueError(f"{part!r} is out of range {low}-{high}")
        values.update(range(start, end + 1, step))
    return values


def next_run(schedule: str, after: float) -> float:
    """The first minute strictly after `after` (a Unix time) at which `schedule` fires.

    Raises ValueError for a schedule that cannot be parsed or never fires.
    """
    fields = ALIASES.get(schedule, schedule).split()
    if len(fields) != 5:
        raise ValueError("a schedule has five fields: minute hour day-of-month month day-of-week")
    minutes, hours, days, months, weekdays = (
        _values(field, low, high) for field, (low, high) in zip(fields, _RANGES, strict=True)
    )
    weekdays = {day % 7 for day in weekdays}  # 0 and 7 are both Sunday
    days_restricted, weekdays_restricted = fields[2] != "*", fields[4] != "*"
    start = datetime.fromtimestamp(after, UTC).replace(second=0, microsecond=0) + timedelta(
        minutes=1
    )
    for offset in range(4 * 366 + 1):
        day = (start + timedelta(days=offset)).date()
        day_matches = day.day in days
        weekday_matches = (day.weekday() + 1) % 7 in weekdays
        if days_restricted and weekdays_restricted:
            fits = day_matches or weekday_matches
        else:
            fits = day_matches and weekday_matches
        if day.month not in months or not fits:
            continue
        for hour in sorted(hours):
            for minute in sorted(minutes):
                moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
                if moment >= start:
                    return moment.timestamp()
    raise ValueError("the schedule never fires")
