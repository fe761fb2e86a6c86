"""Who a reader may see on a board, and under which name (applied when a board is read)."""

from __future__ import annotations

from advocacy.incentives.boards.schemas import BoardEntry, BoardProfile


def shown_name(profile: BoardProfile, viewer_id: int, viewer_team: int | None) -> str | None:
    """How a person appears to this viewer, or None when they are not listed for them."""
    if profile.person_id == viewer_id:
        return profile.display_name
    if not profile.opted_in or profile.visibility == "hidden":
        return None
    if profile.visibility == "anonymous":
        return f"Ambassador #{profile.alias_number}"
    if profile.visibility == "team_only":
        same_team = viewer_team is not None and profile.team_id == viewer_team
        return profile.display_name if same_team else None
    return profile.display_name


def visible_entries(
    window: list[tuple[int, int, int]],
    profiles: dict[int, BoardProfile],
    viewer_id: int,
    viewer_team: int | None,
    limit: int,
) -> list[BoardEntry]:
    entries: list[BoardEntry] = []
    for rank, person, points in window:
        profile = profiles.get(person)
        name = shown_name(profile, viewer_id, viewer_team) if profile else None
        if name is None:
            continue
        entries.append(BoardEntry(rank=rank, name=name, points=points, is_me=person == viewer_id))
        if len(entries) >= limit:
            break
    return entries
