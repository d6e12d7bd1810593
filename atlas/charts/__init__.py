"""Chart builders: a small aggregated DataFrame in, an `alt.Chart` out. No Streamlit here.

By subject: what every chart shares (`base`), talent flows (`flows`), money (`money`) and the SQL
console's chart (`console`).
"""

from atlas.charts.base import (  # noqa: F401
    CELL_PICK,
    DEST,
    DIRECTIONS,
    NET_PICK,
    PERIOD_LABELS,
    PERIOD_PICK,
    ROUND_PICK,
    TIP_CODES,
    labels_expr,
    picked_value,
    sankey_picked_label,
    tip_frame,
    year_format,
)
from atlas.charts.console import (  # noqa: F401
    CONSOLE_CHART_ROWS,
    TITLE_AND_AXIS_PX,
    first_two_columns_chart,
)
from atlas.charts.flows import (  # noqa: F401
    GREY_GROUPS,
    MOVE_TYPE_COLORS,
    PALETTE,
    SANKEY_RENDERERS,
    SMALL_COLOR,
    career_timeline_chart,
    education_flow_chart,
    firm_flow_over_time_chart,
    flow_sankey_spec,
    grey_translated,
    group_colours,
    moves_over_time_chart,
    net_flow_chart,
)
from atlas.charts.insights import IN_OUT_COLORS, around_rounds_chart  # noqa: F401
from atlas.charts.money import (  # noqa: F401
    MONEY_AXIS,
    PAY_KIND_COLORS,
    ROUND_TYPE_COLORS,
    ZH_MONEY_LABEL,
    alliance_label,
    alliances_chart,
    capital_raised_chart,
    column_or_none,
    kind_color,
    money_axis,
    money_legend,
    pay_bins_chart,
    pay_by_firm_chart,
    pay_distribution_chart,
    pay_outcomes_chart,
    pay_over_time_chart,
    rounds_chart,
    same_figures_once,
)
