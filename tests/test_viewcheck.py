"""The view-against-fault table: what each view lets the coach judge, on the synthetic athlete."""

from station.tools.viewcheck import FAULT_DRILLS, VIEWS, format_table, view_table

SAGITTAL = [f for f in FAULT_DRILLS if f != "back_rounding"]


# The README's table is every view (`station views`); the suite checks one view of each kind.
CHECKED = tuple(v for v in VIEWS if v[0] in ("side", "front 45", "front", "back 45"))


def test_every_view_counts_and_each_fault_is_judged_where_the_view_shows_it():
    table = view_table(views=CHECKED)
    print("\nview against fault (called share; unseen share; false alarms on clean reps):\n" + format_table(table))
    for view, yaw in CHECKED:
        row = table[view]
        turned = min(yaw, 180 - yaw)
        for fault in FAULT_DRILLS:
            assert row[fault].reps_counted == row[fault].reps_done, (view, fault)  # reps count from every view
        assert row["false alarms"].called == 0.0, view
        if turned <= 45:  # side-on to 45 degrees, front or back diagonal: every sagittal fault is called
            for fault in SAGITTAL:
                assert row[fault].called >= 0.99, (view, fault, row[fault])
        if turned >= 85:  # square-on: nothing sagittal can be seen, and the lamps say so
            for fault in FAULT_DRILLS:
                assert row[fault].called == 0.0 and row[fault].unseen == 1.0, (view, fault)
        for fault in FAULT_DRILLS:
            # a fault is either called or reported unseen: never silently passed as clean
            assert row[fault].called + row[fault].unseen >= 0.99, (view, fault)
    assert table["side"]["back_rounding"].called == 1.0
    # The back's outline is read side-on and turned away; turned towards the camera the edge behind the
    # lifter is not the spine (real front-oblique clips read clean backs as rounded), so it stays grey there.
    assert table["back 45"]["back_rounding"].called == 1.0
    assert table["front 45"]["back_rounding"].called == 0.0 and table["front 45"]["back_rounding"].unseen == 1.0


def test_the_table_is_the_sites_coach_not_the_shipped_one():
    """`station views --config FILE`: a site that lets the shins lean to 80 degrees never hears "Knees
    forward" side-on, where the shipped thresholds call it on every rep."""
    from station.config import parse

    lenient = parse({"drills": {"deadlift": {"max_shin_lean": 80.0}}})
    side = (("side", 0.0),)
    assert view_table(views=side)["side"]["knees_forward"].called == 1.0
    assert view_table(lenient, views=side)["side"]["knees_forward"].called == 0.0
