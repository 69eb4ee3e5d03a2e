"""The served deployment and deployments/prefect.yaml agree, and both are what ops expect."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
import yaml

from flows.deployment import (
    CRON,
    DEBOUNCE_SECONDS,
    NAME,
    REVIEW_NAME,
    TIMEZONE,
    build_deployment,
    build_review_deployment,
)
from flows.params import CycleParams, FanOutParams
from flows.review import ReviewAction, ReviewParams
from nianbao.io.watch import EVENT, RESOURCE_PREFIX, root_resource_id
from nianbao.settings import load_settings, serve_defaults
from tests.conftest import REPO


def _yaml_deployment(name: str = NAME) -> dict[str, Any]:
    return _yaml_deployments()[name]


def _yaml_deployments() -> dict[str, dict[str, Any]]:
    doc = yaml.safe_load((REPO / "deployments" / "prefect.yaml").read_text(encoding="utf-8"))
    names = [d["name"] for d in doc["deployments"]]
    assert names == [NAME, "nianbao-lower-cycle", "nianbao-fan-out", REVIEW_NAME]
    return {d["name"]: d for d in doc["deployments"]}


def test_prefect_yaml_schedule_limit_pool_and_entrypoint() -> None:
    dep = _yaml_deployment()
    assert dep["name"] == NAME
    assert dep["schedules"] == [{"cron": CRON, "timezone": TIMEZONE, "active": True}]
    assert (CRON, TIMEZONE) == ("0 8 * 1 *", "Asia/Shanghai")
    assert dep["concurrency_limit"] == 1
    assert dep["enforce_parameter_schema"] is True
    assert dep["work_pool"]["name"] == "nianbao"
    assert "1月" in dep["description"]
    path, func = dep["entrypoint"].split(":")
    tree = ast.parse((REPO / path).read_text(encoding="utf-8"))
    assert func in {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}


def test_prefect_yaml_trigger_is_a_debounced_inbox_event_with_templated_parameters() -> None:
    (trigger,) = _yaml_deployment()["triggers"]
    assert trigger["type"] == "event"
    assert trigger["expect"] == [EVENT]
    assert trigger["match"] == {"prefect.resource.id": RESOURCE_PREFIX + "*"}
    assert trigger["for_each"] == ["prefect.resource.id"]
    assert (trigger["posture"], trigger["threshold"]) == ("Reactive", 1)
    assert trigger["within"] == DEBOUNCE_SECONDS
    assert trigger["parameters"] == {
        "params": {"year": "{{ event.payload.year }}", "root": "{{ event.payload.root }}"}
    }


def test_served_deployment_matches(tmp_path: Path) -> None:
    dep = build_deployment(tmp_path, "sqlite:///x.db", debounce=30)
    assert dep.name == NAME
    (schedule,) = dep.schedules or []
    assert (schedule.schedule.cron, schedule.schedule.timezone) == (CRON, TIMEZONE)
    assert dep.concurrency_limit == 1
    assert dep.enforce_parameter_schema
    assert dep.parameters == {
        "params": {"root": str(tmp_path.resolve()), "db_url": "sqlite:///x.db"}
    }
    (trigger,) = dep.triggers
    assert trigger.expect == {EVENT}
    assert trigger.within.total_seconds() == 30
    assert trigger.match.model_dump() == {"prefect.resource.id": root_resource_id(tmp_path)}
    assert trigger.parameters == {
        "params": {
            "root": "{{ event.payload.root }}",
            "db_url": "sqlite:///x.db",
            "year": "{{ event.payload.year }}",
        }
    }
    assert dep.entrypoint == "flows.annual_cycle.annual_cycle"


def test_prefect_yaml_fan_out_and_lower_level_deployments_share_the_pool() -> None:
    deps = _yaml_deployments()
    lower, fan = deps["nianbao-lower-cycle"], deps["nianbao-fan-out"]
    # the fan-out starts its lower levels' runs on the deployment its parameter names
    flow_name, dep_name = FanOutParams().deployment.split("/")
    assert (flow_name, dep_name) == (NAME, lower["name"])
    assert lower["entrypoint"] == deps[NAME]["entrypoint"]
    assert fan["entrypoint"] == "flows/fanout.py:fan_out"
    # several lower levels at once (bounded), the fan-out itself one at a time
    assert lower["concurrency_limit"] > 1 and fan["concurrency_limit"] == 1
    for dep in (lower, fan):
        assert dep["work_pool"]["name"] == "nianbao"
        assert dep["enforce_parameter_schema"] is True
        assert "schedules" not in dep and "triggers" not in dep


@pytest.mark.parametrize(
    "module", ["flows/annual_cycle.py", "flows/fanout.py", "flows/params.py", "flows/review.py"]
)
def test_flow_modules_with_pydantic_parameters_keep_real_annotations(module: str) -> None:
    tree = ast.parse((REPO / module).read_text(encoding="utf-8"))
    futures = [
        a.name
        for n in tree.body
        if isinstance(n, ast.ImportFrom) and n.module == "__future__"
        for a in n.names
    ]
    assert "annotations" not in futures


def test_parameters_have_chinese_titles_bounds_and_a_dry_run() -> None:
    schema = CycleParams.model_json_schema()
    props = schema["properties"]
    assert props["year"]["title"] == "报告年度"
    assert props["root"]["title"] == "共享文件夹"
    assert props["dry_run"] == {
        "default": False,
        "description": "只校验报表并生成输出文件和反馈，不写入数据库",
        "title": "试运行",
        "type": "boolean",
    }
    year = next(s for s in props["year"]["anyOf"] if s.get("type") == "integer")
    assert (year["minimum"], year["maximum"]) == (2019, 2100)
    assert all(not f.is_required() for f in CycleParams.model_fields.values())
    with pytest.raises(ValueError, match="2019"):
        CycleParams(year=1990)


def test_a_run_started_without_root_or_database_uses_what_serve_was_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NIANBAO_ROOT", "NIANBAO_DB_URL"):  # recorded, so restored afterwards
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    served = tmp_path / "served"
    serve_defaults(load_settings(root=served), "postgresql+psycopg://u:p@db/nianbao")
    # A REST call with only the year replaces the deployment's whole ``params`` object:
    params = CycleParams.model_validate({"year": 2024})
    settings = load_settings(root=params.root, db_url=params.db_url)
    assert settings.root == served.resolve()
    assert settings.database_url == "postgresql+psycopg://u:p@db/nianbao"
    explicit = load_settings(root=tmp_path / "other")
    assert explicit.root == tmp_path / "other"


def test_review_deployment_in_yaml_and_served_alike() -> None:
    dep = _yaml_deployment(REVIEW_NAME)
    served = build_review_deployment()
    assert dep["entrypoint"] == "flows/review.py:review"
    assert served.entrypoint == "flows.review.review"
    assert served.name == REVIEW_NAME and not served.schedules and not dep.get("schedules")
    assert "".join(dep["description"].split()) == "".join((served.description or "").split())


def test_review_form_has_chinese_titles_an_action_choice_and_a_required_reviewer() -> None:
    schema = ReviewParams.model_json_schema()
    props = schema["properties"]
    titles = {k: v["title"] for k, v in props.items()}
    assert titles == {
        "year": "报告年度",
        "action": "审核操作",
        "unit": "单位代码",
        "reason": "理由或审核意见",
        "finding": "提示规则代码",
        "reviewer": "审核人",
        "root": "共享文件夹",
        "db_url": "数据库地址",
    }
    assert set(schema["required"]) == {"year", "action", "reviewer"}
    assert schema["$defs"]["ReviewAction"]["enum"] == [a.value for a in ReviewAction]
    with pytest.raises(ValueError):
        ReviewParams(year=2020, action=ReviewAction.APPROVE, reviewer="")
    with pytest.raises(ValueError):
        ReviewParams.model_validate({"year": 2020, "action": "批准", "reviewer": "张三"})
