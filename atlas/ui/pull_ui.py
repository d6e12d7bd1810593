"""The Data page's pull from public sources (atlas.pull): OpenAlex affiliations or SEC Form D
filings fetched with progress, the names reviewed, what a commit would change shown, then one
commit, undone like an upload. Editors and admins pull; the commit checks the role again."""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import streamlit as st

from atlas import access, cache, db, i18n, labels, resolve, upload
from atlas.escape import md
from atlas.i18n import N_, _
from atlas.labels import Labels
from atlas.pull import run
from atlas.ui import alerts_ui, auth, session
from atlas.ui.data_page import headers
from atlas.ui.names_review import review_ui

SOURCES = Labels(
    {
        "openalex": N_("OpenAlex: researchers' affiliations as careers"),
        "formd": N_("SEC Form D: a US startup's rounds and the people it names"),
    }
)
MAX_LINES = 20  # institutions, authors or companies in one pull


def pull_ui() -> None:
    """The section: what each source gives, the form, then the fetched pull's review and commit."""
    st.subheader(_("Pull from public sources"))
    st.caption(
        _(
            "OpenAlex gives the institutions a researcher's papers name, year by year: each later institution is "
            "a move into it at year precision (where papers were written, not an employment record). A Form D is "
            "what a US startup files within 15 days of selling shares: each offering becomes a round (the amount "
            "sold, or offered where nothing is sold yet) and the people it names are tied to the firm. Names are "
            "matched to the people and firms stored, with a review; nothing is written before you see what a "
            "commit would change, and a pull is undone like an upload. A move another source already tells is "
            "left out: that source's move stands."
        )
    )
    done = session.PULL_COMMITTED.pop()
    if done:
        st.success(done, icon=":material/check_circle:")
    who = auth.identity()
    if not access.allowed(who, "pull"):
        st.info(
            _(
                "Pulls need the editor role; {who} reads as a {role}. What was pulled, by whom and when is in the "
                "load history below."
            ).format(who=md(who.label), role=_(who.role) if who.role else _("guest")),
            icon=":material/lock:",
        )
        return
    source = st.radio(
        _("Source"),
        list(SOURCES),
        format_func=i18n.bound(SOURCES.get),
        horizontal=True,
        key="pull_source",
        label_visibility="collapsed",
    )
    asked = _openalex_form(who) if source == "openalex" else _formd_form(who)
    if asked is not None:
        _fetch(source, asked)
    held = session.PULL.get()
    if held is not None and held[1] == source:
        _review_and_commit(held)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _openalex_form(who) -> dict | None:  # noqa: ANN001 - an access.Identity
    with st.form("pull_openalex_form", border=True):
        left, right = st.columns(2)
        with left:
            institutions = st.text_area(
                _("Institutions"),
                key="pull_institutions",
                placeholder=_("One per line: an OpenAlex id (I4210090411) or a name (Mistral AI)"),
                help=_(
                    "Every author whose papers name the institution. A name several institutions share is listed, "
                    "never guessed: then paste the id."
                ),
                max_chars=2000,
                height=110,
            )
        with right:
            authors = st.text_area(
                _("Authors"),
                key="pull_authors",
                placeholder=_("One per line: an OpenAlex author id (A5023888391) or an ORCID"),
                max_chars=2000,
                height=110,
            )
        left, right = st.columns(2)
        with left:
            since = st.number_input(
                _("Leave out affiliations that ended before"),
                min_value=1900,
                max_value=dt.date.today().year,
                value=None,
                step=1,
                placeholder=_("Every year"),
            )
        with right:
            mailto = st.text_input(
                _("Your e-mail address (OpenAlex's polite pool)"),
                value=who.email,
                key="pull_mailto",
                max_chars=200,
                help=_("Sent with each request, as OpenAlex asks of regular users; never stored here."),
            )
        create_new = _create_new_box()
        if not st.form_submit_button(_("Fetch and preview"), type="primary", icon=":material/cloud_download:"):
            return None
    asked = {
        "institutions": _lines(institutions),
        "authors": _lines(authors),
        "since": since or 0,
        "mailto": mailto,
        "create_new": create_new,
    }
    if not asked["institutions"] and not asked["authors"]:
        st.error(_("Name at least one institution or author."))
        return None
    if len(asked["institutions"]) + len(asked["authors"]) > MAX_LINES:
        st.error(_("At most {n} institutions and authors in one pull.").format(n=MAX_LINES))
        return None
    return asked


def _create_new_box() -> bool:
    return st.checkbox(
        _("Add every name no stored entry is close to as new"),
        value=True,
        help=_("A name close to a stored one always waits for your decision in the review."),
    )


def _formd_form(who) -> dict | None:  # noqa: ANN001 - an access.Identity
    from atlas.pull import formd

    with st.form("pull_formd_form", border=True):
        companies = st.text_area(
            _("Companies"),
            key="pull_companies",
            placeholder=_("One per line: a name (Boson AI) or a CIK (0001234567)"),
            help=_(
                "A name is looked up in EDGAR's full-text search of Form D filings; several filers of that name "
                "are listed, never guessed: then paste the CIK."
            ),
            max_chars=2000,
            height=110,
        )
        left, right = st.columns(2)
        with left:
            since = st.date_input(_("Filed on or after"), value=None, format="YYYY-MM-DD")
        with right:
            agent = st.text_input(
                _("Who you are, as the SEC requires"),
                value=f"{who.display} {who.email}" if who.email else "",
                placeholder=_("Your Name you@example.org"),
                max_chars=200,
                help=_("EDGAR refuses requests that do not name someone with an e-mail address."),
            )
        create_new = _create_new_box()
        if not st.form_submit_button(_("Fetch and preview"), type="primary", icon=":material/cloud_download:"):
            return None
    asked = {
        "companies": _lines(companies),
        "since": since.isoformat() if since else "",
        "agent": agent.strip(),
        "create_new": create_new,
    }
    if not asked["companies"]:
        st.error(_("Name at least one company."))
        return None
    if len(asked["companies"]) > MAX_LINES:
        st.error(_("At most {n} companies in one pull.").format(n=MAX_LINES))
        return None
    if not formd.user_agent_ok(asked["agent"]):
        st.error(
            _("Say who you are with a name and an e-mail address, as the SEC requires: “Ana Lima ana@example.org”.")
        )
        return None
    return asked


def _fetch(source: str, asked: dict) -> None:
    """Fetch with a progress bar; keep what came (or say why it stopped)."""
    from atlas.pull.http import PullError  # httpx: imported when a pull is asked for

    session.PULL.pop()
    session.PULL_CHECKED.pop()
    bar = st.progress(0.0, text=_("Asking the source…"))
    try:
        if source == "openalex":

            def heard(authors: int, pages: int, expected: int) -> None:
                bar.progress(
                    min(1.0, authors / expected) if expected else 0.0,
                    text=_("Authors {n} of {total} · pages {pages}").format(
                        n=f"{authors:,}", total=f"{expected:,}", pages=f"{pages:,}"
                    ),
                )

            fetched = run.fetch_openalex(
                asked["institutions"], asked["authors"], since=asked["since"], mailto=asked["mailto"], progress=heard
            )
        else:

            def heard(read: int, total: int) -> None:  # noqa: F811 - one per source
                bar.progress(
                    min(1.0, read / total) if total else 0.0,
                    text=_("Form D documents {n} of {total}").format(n=f"{read:,}", total=f"{total:,}"),
                )

            fetched = run.fetch_formd(
                asked["companies"], since=asked["since"], user_agent=asked["agent"], progress=heard
            )
    except PullError as exc:
        bar.empty()
        st.error(_("Pull stopped; nothing was written: {why}").format(why=md(str(exc))), icon=":material/error:")
        return
    bar.empty()
    key = hashlib.sha1(repr((source, sorted(asked.items()), dt.datetime.now(dt.UTC))).encode()).hexdigest()[:12]
    matched = run.match(cache.connection(), fetched.plan) if fetched.plan is not None else None
    if matched is not None and asked["create_new"]:
        resolve.accept(matched.decisions, new_only=True)
    session.PULL.value = (key, source, asked, fetched, matched)


def _review_and_commit(held: tuple) -> None:
    key, source, _asked, fetched, matched = held
    n = {k: f"{v:,}" for k, v in fetched.counts.items()}
    if source == "openalex":
        st.caption(
            _("Fetched {authors} author(s) and {institutions} institution(s) in {requests} request(s).").format(**n)
        )
    else:
        st.caption(
            _("Fetched {offerings} offering(s) of {companies} company(ies) in {requests} request(s).").format(**n)
        )
    if matched is None:
        st.info(_("Nothing to pull: the source has nothing for what you asked."))
        return
    if matched.decisions and not review_ui(
        matched.decisions, key, _("#### Names in the pull"), _("Name in the source"), prefix="pull_names"
    ):
        return
    con = cache.connection()
    version = db.cache_version(con)
    decided = tuple((d.kind, d.name, d.target, d.status) for d in matched.decisions)
    checked = session.PULL_CHECKED.get()
    if checked is None or checked[0] != (key, version, decided):
        rows = run.rows_of(con, matched)
        if rows is None:
            return
        result = run.load_rows(con, rows, what=fetched.asked, dry_run=True)
        checked = ((key, version, decided), rows, result)
        session.PULL_CHECKED.value = checked
    _check_key, rows, result = checked
    if rows.told:
        st.caption(
            _("{n} move(s) another source already tells were left out: that source's move stands.").format(
                n=f"{rows.told:,}"
            )
        )
    if result.problems:
        st.error(_("{n} problem(s): nothing was written.").format(n=len(result.problems)))
        report = upload.problems_frame(result.problems)
        st.dataframe(report, hide_index=True, width="stretch", column_config=headers(report))
        return
    changed = run.changed(result)
    if not changed:
        st.success(_("Nothing changed: the database already holds this pull."), icon=":material/check_circle:")
        return
    st.success(_("No problem found. What a commit would change:"))
    st.dataframe(
        upload.changes_frame(result),
        column_config={
            "table": _("Table"),
            **{
                c: st.column_config.NumberColumn(labels.COLUMNS[c], format="%d")
                for c in ("new", "changed", "unchanged", "removed")
            },
        },
        hide_index=True,
        width="content",
    )
    _new_rows_ui(rows)
    if result.diff:
        st.caption(_("Field by field: {n} change(s), old value beside new.").format(n=f"{len(result.diff):,}"))
        diff = upload.diff_frame(result)
        st.dataframe(diff, hide_index=True, width="stretch", column_config=headers(diff))
    with st.container(horizontal=True, gap="small"):
        go = st.button(_("Commit the pull"), type="primary", key="pull_commit")
        if st.button(_("Discard the pull"), key="pull_discard"):
            session.PULL.pop()
            session.PULL_CHECKED.pop()
            st.rerun()
    if go:
        _commit(source, fetched, matched)


def _new_rows_ui(rows: run.Rows) -> None:
    """The moves and rounds the pull brings, as they would be stored (ids, not yet names)."""
    titles = {"moves": N_("The pull's moves: {n} row(s)"), "funding_rounds": N_("The pull's rounds: {n} row(s)")}
    shown = {
        "moves": ["person_id", "from_firm_id", "to_firm_id", "moved_on", "role", "note"],
        "funding_rounds": ["firm_id", "announced_on", "amount", "currency", "note"],
    }
    for table, columns in shown.items():
        table_rows = rows.rows.get(table) or []
        if not table_rows:
            continue
        with st.expander(_(titles[table]).format(n=f"{len(table_rows):,}")):
            frame = pd.DataFrame(table_rows[:500]).reindex(columns=columns).fillna("")
            st.dataframe(
                frame,
                hide_index=True,
                width="stretch",
                column_config=headers(frame),
            )


def _what(source: str) -> str:
    return {"openalex": "pull openalex", "formd": "pull formd"}[source]


def _commit(source: str, fetched: run.Fetched, matched: run.Matched) -> None:
    who = auth.identity()  # checked at the moment it acts, on the server
    if not access.allowed(who, "pull"):
        auth.refuse(N_("a pull from a public source"))
        return
    try:
        with st.spinner(_("Checking again and committing in one transaction…")), cache.writing() as master:
            rows = run.rows_of(master, matched)
            done = run.load_rows(
                master,
                rows,
                what=fetched.asked,
                dry_run=False,
                uploader=f"{who.display} · {_what(source)}",
                uploader_email=who.email,
                decisions=run.name_decisions(matched),
            )
    except db.Busy as exc:
        st.error(str(exc), icon=":material/hourglass:")
        return
    cache.pin_snapshot()
    if done.problems:
        st.error(_("Rejected; nothing was written:") + "".join(f"\n- {md(str(p))}" for p in done.problems[:20]))
        return
    alerts_ui.after_load()  # the watchlists' e-mails, in the background
    session.PULL.pop()
    session.PULL_CHECKED.pop()
    session.PULL_COMMITTED.value = _(
        "Pulled as data version {version}. Every page now shows it; undo it under Upload new data above."
    ).format(version=done.upload_id)
    st.rerun()


AFFILIATION_PUBLISHERS = ("OpenAlex",)  # sources whose moves are affiliations on papers (atlas.pull.openalex)


def papers_note(df) -> None:  # noqa: ANN001 - a frame with source_publisher
    """Beside moves pulled from OpenAlex: what such a move is, and what it is not."""
    if "source_publisher" in df.columns and df["source_publisher"].isin(AFFILIATION_PUBLISHERS).any():
        st.caption(
            _(
                "Moves from OpenAlex are the institutions a person's papers name, year by year: where papers were "
                "written, not employment records. A move is the first year papers name the new institution; the "
                "note gives the years."
            )
        )
