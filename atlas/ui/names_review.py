"""The Data page's review of names (an upload by name): each name matched, new, or with candidates
to check, decided by the analyst before anything is checked or written."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from atlas import cache, resolve
from atlas.i18n import N_, _
from atlas.labels import Labels

STATUS_WORDS = Labels(
    {
        "matched": N_("matched"),
        "review": N_("check: near miss"),
        "ambiguous": N_("check: several match"),
        "new": N_("new"),
        "confirmed": N_("confirmed by you"),
    }
)


# the files by name (atlas.byname.FLAT_FORMATS), as the dictionary's picker names them
FLAT_NAMES = Labels(
    {"moves by name": N_("moves by name"), "pay by name": N_("pay by name"), "rounds by name": N_("rounds by name")}
)


KIND_WORDS = Labels({"person": N_("person"), "firm": N_("firm")})


def _option(kind: str, entity_id: str, label: str) -> str:
    return f"{label} · {KIND_WORDS.get(kind, kind)} {entity_id}"


def names_decided(staged) -> bool:  # noqa: ANN001 - an upload.Upload
    """Every name matched automatically or decided by the analyst."""
    return not resolve.undecided(staged.names.decisions)


def names_review_ui(staged) -> bool:  # noqa: ANN001 - an upload.Upload
    """The names of an upload with their decisions, in one editable table; True once they are
    decided (every name matched automatically, or the analyst confirmed the table)."""
    return review_ui(staged.names.decisions, f"{id(staged)}", _("#### Names in the upload"), _("Name in the file"))


def review_ui(decisions: list, key: str, heading: str, name_header: str, prefix: str = "names") -> bool:
    """Names with their decisions (an upload's, a pull's) in one editable table; True once they
    are decided. `key` tells one set of decisions from another across reruns; `prefix` starts
    every widget's key (an upload's review and a pull's can be on the page at once)."""
    st.markdown(heading)
    counts = resolve.review_counts(decisions)
    st.caption(
        _(
            "{n} distinct name(s): {matched} matched to a stored person or firm, {new} new, {review} with "
            "candidates to check, {confirmed} decided by you. Change any decision in the table: pick another "
            "entry, or “New …” with the id it gets. Matches you confirm are kept as aliases, so the next file "
            "with the same spelling matches on its own."
        ).format(
            n=f"{len(decisions):,}",
            matched=f"{counts['matched']:,}",
            new=f"{counts['new']:,}",
            review=f"{counts['review']:,}",
            confirmed=f"{counts['confirmed']:,}",
        )
    )
    if resolve.undecided(decisions):
        _bulk_ui(decisions, prefix)
    shown, total = _filtered(decisions, prefix)
    new_entry = {"person": _("New person"), "firm": _("New firm")}
    options: dict[str, tuple[str, str | None]] = {
        new_entry["person"]: ("person", None),
        new_entry["firm"]: ("firm", None),
    }
    for d in shown:
        for c in d.candidates:
            options[_option(d.kind, c.entity_id, c.label)] = (d.kind, c.entity_id)
    labels_of = {(d.kind, c.entity_id): c.label for d in shown for c in d.candidates}
    for d in shown:  # an id the analyst typed is an option too
        if d.entity_id and (d.kind, d.entity_id) not in labels_of:
            labels_of[(d.kind, d.entity_id)] = d.entity_id
            options[_option(d.kind, d.entity_id, d.entity_id)] = (d.kind, d.entity_id)
    frame = pd.DataFrame(
        [
            {
                "kind": KIND_WORDS.get(d.kind, d.kind),
                "name": d.name + (f" / {d.name_zh}" if d.name_zh and d.name_zh != d.name else ""),
                "rows": d.rows,
                "status": STATUS_WORDS.get(d.status, d.status),
                "decision": _option(d.kind, d.entity_id, labels_of.get((d.kind, d.entity_id), d.entity_id))
                if d.entity_id
                else new_entry[d.kind],
                "new_id": d.new_id if not d.entity_id else "",
                "other_id": "",
                "why": f"{resolve.rule_words(d.rule)} ({d.score:.0f})" if d.rule else _("no stored name is close"),
                "candidates": "; ".join(
                    f"{c.label} [{c.entity_id}] {c.score:.0f}" + (f": {c.detail}" if c.detail else "")
                    for c in d.candidates
                ),
            }
            for d in shown
        ],
        columns=["kind", "name", "rows", "status", "decision", "new_id", "other_id", "why", "candidates"],
    )
    if len(shown) < total:
        st.caption(
            _("Showing {shown:,} of the {total:,} names these filters keep: narrow them to see the rest.").format(
                shown=len(shown), total=total
            )
        )
    # the table is drawn anew whenever what it shows changes (a filter, a decision): an edit always
    # applies to the row it was made on
    state = hashlib.sha1(repr([(d.kind, d.name, d.entity_id, d.new_id, d.status) for d in shown]).encode()).hexdigest()[
        :12
    ]
    edited = st.data_editor(
        frame,
        column_config={
            "kind": st.column_config.TextColumn(_("Kind"), disabled=True, width="small"),
            "name": st.column_config.TextColumn(name_header, disabled=True),
            "rows": st.column_config.NumberColumn(_("Rows"), disabled=True, width="small"),
            "status": st.column_config.TextColumn(_("Status"), disabled=True),
            "decision": st.column_config.SelectboxColumn(
                _("Decision"),
                options=list(options),
                required=True,
                width="large",
                help=_("The stored entry the name stands for, or a new one"),
            ),
            "new_id": st.column_config.TextColumn(
                _("New id"), help=_("The id a new entry gets (lowercase letters, digits, '.', '_', '-')"), max_chars=60
            ),
            "other_id": st.column_config.TextColumn(
                _("Or another id"),
                help=_(
                    "The id of a stored person or firm that is not among the candidates (e.g. dario-amodei): "
                    "it wins over the decision"
                ),
                max_chars=60,
            ),
            "why": st.column_config.TextColumn(_("Why (score)"), disabled=True, width="medium"),
            "candidates": st.column_config.TextColumn(_("Candidates"), disabled=True, width="large"),
        },
        hide_index=True,
        width="stretch",
        num_rows="fixed",
        height=min(600, 35 * (len(frame) + 1) + 3),
        key=f"{prefix}_review_{key}_{state}",
    )
    problems = []
    changed = False
    con = cache.connection().cursor()
    for d, row in zip(shown, edited.itertuples(), strict=True):
        kind, entity_id = options.get(row.decision, (d.kind, d.entity_id))
        other = str(row.other_id or "").strip()
        if other:
            kind, entity_id = d.kind, other
        if kind != d.kind:
            problems.append(
                _("“{name}” is a {kind}: pick a {kind} for it, not a {other}.").format(
                    name=d.name, kind=KIND_WORDS[d.kind], other=KIND_WORDS[kind]
                )
            )
            continue
        new_id = str(row.new_id or "").strip()
        if entity_id != d.entity_id or (entity_id is None and new_id and new_id != d.new_id):
            refused = resolve.choose(con, d, match=entity_id, new_id=new_id or None)
            if refused:
                problems.append(refused)
            else:
                changed = True
    for p in problems:
        st.error(p)
    if changed:
        # a press of "Use these decisions" can arrive in the same run as the edit: keep it
        if not problems and st.session_state.get(f"{prefix}_confirm"):
            resolve.accept(decisions)
        st.rerun()
    if problems:
        return False
    if not resolve.undecided(decisions):
        return True
    if st.button(_("Use these decisions"), type="primary", key=f"{prefix}_confirm"):
        resolve.accept(decisions)
        st.rerun()
    st.info(_("Check the names marked “check”, then press **Use these decisions** to see what a commit would change."))
    return False


MAX_SHOWN = 500  # rows of the review table at once (the filters reach the rest)
SORTS = Labels(
    {
        "check": N_("to check first"),
        "rows": N_("most rows first"),
        "score": N_("highest score first"),
        "name": N_("by name"),
    }
)
_STATUS_ORDER = {"review": 0, "ambiguous": 0, "new": 1, "confirmed": 2, "matched": 3}


def _filtered(decisions: list, prefix: str) -> tuple[list, int]:
    """The names the review's filters keep, sorted as asked: the first MAX_SHOWN, and how many."""
    left, middle, right = st.columns([2, 2, 1])
    with left:
        statuses = st.multiselect(
            _("Show"),
            list(STATUS_WORDS),
            format_func=STATUS_WORDS.get,
            key=f"{prefix}_filter_status",
            placeholder=_("Every status"),
        )
    with middle:
        text = st.text_input(_("Find a name"), key=f"{prefix}_filter_text", max_chars=100)
    with right:
        order = st.selectbox(_("Sort"), list(SORTS), format_func=SORTS.get, key=f"{prefix}_sort")
    wanted = {"review", "ambiguous"} if "review" in statuses else set()
    wanted |= set(statuses)
    needle = " ".join(text.lower().split())
    kept = [
        d
        for d in decisions
        if (not wanted or d.status in wanted)
        and (not needle or needle in d.name.lower() or needle in (d.name_zh or "").lower())
    ]
    keys = {
        "check": lambda d: (_STATUS_ORDER.get(d.status, 9), -d.rows, d.name),
        "rows": lambda d: (-d.rows, d.name),
        "score": lambda d: (-d.score, d.name),
        "name": lambda d: d.name.lower(),
    }
    kept.sort(key=keys[order])
    return kept[:MAX_SHOWN], len(kept)


def _bulk_ui(decisions: list, prefix: str) -> None:
    """Decisions for many names at once: every new name as new, every clear match above a score,
    a candidate rejected wherever it is proposed."""
    open_ = resolve.undecided(decisions)
    new = [d for d in open_ if d.status == "new"]
    with st.expander(_("Decide many at once"), expanded=len(open_) > 20):
        a, b, c = st.columns(3)
        with a:
            st.caption(_("{n:,} new name(s) no stored entry is close to.").format(n=len(new)))
            if st.button(_("Accept every new name as new"), key=f"{prefix}_bulk_new", disabled=not new):
                resolve.accept(decisions, new_only=True)
                st.rerun()
        with b:
            score = st.number_input(
                _("Score at least"), min_value=80, max_value=100, value=95, step=1, key=f"{prefix}_bulk_score"
            )
            clear = [
                d
                for d in open_
                if d.status == "review"
                and d.candidates
                and d.candidates[0].score >= score
                and (len(d.candidates) == 1 or d.candidates[1].score < d.candidates[0].score - 5)
            ]
            if st.button(
                _("Accept {n:,} match(es) at or above it").format(n=len(clear)),
                key=f"{prefix}_bulk_score_go",
                disabled=not clear,
            ):
                cur = cache.connection().cursor()
                try:
                    resolve.accept_above(cur, decisions, score)
                finally:
                    cur.close()
                st.rerun()
        with c:
            proposed: dict[tuple[str, str], list] = {}
            for d in open_:
                for cand in d.candidates:
                    proposed.setdefault((d.kind, cand.entity_id), [cand.label, 0])[1] += 1
            ranked = sorted(proposed, key=lambda k: (-proposed[k][1], proposed[k][0]))[:500]
            picked = st.selectbox(
                _("Reject a candidate everywhere"),
                ranked,
                index=None,
                format_func=lambda k: _("{label} ({kind} {id}), proposed for {n:,} name(s)").format(
                    label=proposed[k][0], kind=KIND_WORDS.get(k[0], k[0]), id=k[1], n=proposed[k][1]
                ),
                placeholder=_("Pick a stored entry"),
                key=f"{prefix}_bulk_reject",
            )
            if st.button(_("Reject it"), key=f"{prefix}_bulk_reject_go", disabled=picked is None):
                resolve.reject_candidate(decisions, *picked)
                st.rerun()
