"""Config validation: every bad value names its field and what is allowed."""

import pytest

import simteam
from simteam.config import ConfigError, SimConfig, from_dict, iter_params, replace_path, to_dict


def test_defaults_validate_and_round_trip():
    cfg = SimConfig()
    assert from_dict(to_dict(cfg)) == cfg


@pytest.mark.parametrize(
    "data, fragment",
    [
        ({"team": {"team_size": -3}}, "team.team_size: -3 is out of range"),
        ({"leadership": {"recognition": 1.5}}, "leadership.recognition: 1.5 is out of range; allowed: a number in [0.0, 1.0]"),
        ({"team": {"sise": 3}}, "team.sise: unknown key; did you mean team.team_size?"),
        ({"weeks": "long"}, "weeks: expected a whole number"),
        ({"crisis": {"strategy": "panic"}}, "crisis.strategy: 'panic' is not allowed; choose one of none, hold_steady"),
        ({"market": {"shocks": [{"start_week": 500}]}}, "market.shocks[0].start_week: 500 is past the horizon"),
        ({"mechanisms": {"contagion": "yes"}}, "mechanisms.contagion: expected true or false"),
        ({"team": {"graph": "small_world", "k_neighbors": 3}}, "team.k_neighbors: 3 must be even"),
        ({"market": {"segments": []}}, "market.segments: at least one segment"),
        ({"events": [{"kind": "rollout", "week": 3, "name": "crm"}]}, "events[0].name: 'crm' names no initiative"),
        ({"people": {"quit_base": float("nan")}}, "people.quit_base: expected a finite number"),
    ],
)
def test_bad_values_name_the_field(data, fragment):
    with pytest.raises(ConfigError) as exc:
        from_dict(data)
    assert fragment in str(exc.value)


def test_suggestion_for_misspelt_key():
    with pytest.raises(ConfigError, match="did you mean leadership.coaching"):
        from_dict({"leadership": {"coachng": 0.3}})


def test_every_parameter_documents_a_range_or_choices():
    numeric = 0
    for path, f in iter_params():
        md = f.metadata
        assert md.get("doc"), f"{path} has no doc"
        if f.type in ("int", "float"):
            numeric += 1
            assert md.get("lo") is not None and md.get("hi") is not None, f"{path} has no range"
            assert md["lo"] <= f.default <= md["hi"], f"{path} default {f.default} outside [{md['lo']}, {md['hi']}]"
        if md.get("choices"):
            assert f.default in md["choices"], f"{path} default {f.default!r} is not one of its choices"
    assert numeric > 50, f"only {numeric} numeric parameters seen: iter_params lost some sections"


def test_configure_presets_and_errors():
    cfg = simteam.configure(style="coaching", market="recession", crisis="pivot", weeks=52)
    assert cfg.leadership.style == "coaching" and cfg.leadership.coaching == simteam.STYLES["coaching"]["coaching"]
    assert cfg.market.shocks[0].depth == simteam.PRESETS["recession"]["depth"]
    assert cfg.crisis.strategy == "pivot" and cfg.weeks == 52
    with pytest.raises(ConfigError, match="style: 'tyrant' is unknown"):
        simteam.configure(style="tyrant")
    with pytest.raises(ConfigError, match="market: 'boom' is unknown"):
        simteam.configure(market="boom")
    with pytest.raises(ConfigError, match="unknown parameter"):
        replace_path(SimConfig(), "leadership.charisma", 1.0)


def test_cross_field_rules():
    with pytest.raises(ConfigError, match=r"change.initiatives\[0\].mandate_week: 5 is before the rollout starts"):
        from_dict({"change": {"initiatives": [{"name": "crm", "start_week": 10, "mandate_week": 5}]}})
    with pytest.raises(ConfigError, match=r"events\[0\].probability: a regroup is a planned action"):
        from_dict({"events": [{"kind": "regroup", "week": 5, "probability": 0.5}]})
