"""The command line for bulk work: imports keyed by the organisation's own ids, and match (text or --json)."""
import json

import pytest
from sqlalchemy import select

from kerne.models import Ambassador, OrgUnit, ProcessRequest
from kerne.web.extensions import db

ORG = """id,name,kind,parent
N,Nord,område,
S,Syd,område,
N1,Skoler,afdeling,N
S1,Pleje,afdeling,S
W1,Fjordskolen,arbejdsplads,N1
W2,Lindely,arbejdsplads,S1
"""
AMBASSADORS = """\ufeffid;name;email;workplace;profession;capacity;unavailable
A-1;Anna Berg;anna@example.dk;W1;Lærer;3;
A-2;Bo Dam;bo@example.dk;W2;Sygeplejerske;3;2031-03-02
A-3;Carl Eg;carl@example.dk;W2;Pædagog;2;
"""
REQUESTS = """id,workplace,contact_name,contact_email,target_groups,visit1_start,visit1_end,visit2_start,visit2_end,notes
REQ-7,W1,Lise,lise@example.dk,Elever,01-03-2031,,2031-03-15,,
REQ-8,Lindely,Mads,mads@example.dk,Ældre,2031-03-02,,2031-03-16,2031-03-17,Gerne formiddag
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def load_all(runner, tmp_path):
    for command, name, text in (("import-org", "org.csv", ORG), ("import-ambassadors", "amb.csv", AMBASSADORS),
                                ("import-requests", "req.csv", REQUESTS)):
        result = runner.invoke(args=[command, write(tmp_path, name, text), *(["--yes"] if "ambassadors" in command else [])])
        assert result.exit_code == 0, result.output


def test_imports_keep_the_organisations_ids(runner, tmp_path):
    load_all(runner, tmp_path)
    assert db.session.scalar(select(OrgUnit).where(OrgUnit.external_id == "W2")).parent.external_id == "S1"
    bo = db.session.scalar(select(Ambassador).where(Ambassador.external_id == "A-2"))
    assert bo.workplace.name == "Lindely" and [d.isoformat() for d in bo.unavailable_days] == ["2031-03-02"]
    req = db.session.scalar(select(ProcessRequest).where(ProcessRequest.external_id == "REQ-8"))
    assert (req.visit2_start.isoformat(), req.visit2_end.isoformat()) == ("2031-03-16", "2031-03-17")
    # importing again changes nothing and adds nothing
    load_all(runner, tmp_path)
    assert len(db.session.scalars(select(Ambassador)).all()) == 3


def test_a_bad_file_is_refused_with_line_numbers_and_nothing_imported(runner, tmp_path):
    runner.invoke(args=["import-org", write(tmp_path, "org.csv", ORG)])
    bad = AMBASSADORS.replace("A-3;Carl Eg;carl@example.dk;W2", "A-3;Carl Eg;carl@example;W9")
    result = runner.invoke(args=["import-ambassadors", write(tmp_path, "amb.csv", bad)])
    assert result.exit_code == 1
    assert "amb.csv:4: Kolonnen workplace: Arbejdspladsen »W9« findes ikke." in result.output
    assert "amb.csv:4: Kolonnen email: Skriv en gyldig e-mailadresse." in result.output  # every problem of the line
    assert db.session.scalars(select(Ambassador)).all() == []


def test_match_prints_the_plan_as_json_with_the_csv_ids(runner, tmp_path):
    load_all(runner, tmp_path)
    result = runner.invoke(args=["match", "--json", "--seconds", "2"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert set(plan) >= {"assignments", "unstaffed", "objective", "optimal", "seconds"}
    # REQ-8 on 2 March: Bo Dam is away, Carl Eg and Anna Berg remain (two departments)
    by_request = {a["request"]: set(a["ambassadors"]) for a in plan["assignments"]}
    assert by_request["REQ-8"] == {"A-1", "A-3"}
    assert by_request["REQ-7"] == {"A-1", "A-2"} or by_request["REQ-7"] == {"A-1", "A-3"}
    assert all(a["explanation"] for a in plan["assignments"])
    assert plan["optimal"] is True and plan["unstaffed"] == []


def test_match_prints_text_by_default_and_says_which_levels_are_proven(runner, tmp_path):
    load_all(runner, tmp_path)
    result = runner.invoke(args=["match", "--seconds", "2"])
    assert result.exit_code == 0, result.output
    assert "REQ-8: A-1 + A-3 – " in result.output
    for level in ("staffed", "commitments", "distance", "professions", "load", "repeats"):
        assert f"  {level}: " in result.output
    assert result.output.count("– proven optimal") == 6
    plan = json.loads(runner.invoke(args=["match", "--json", "--seconds", "2"]).output)
    assert plan["proven"] == dict.fromkeys(plan["objective"], True) and plan["repeatable"] is True
    assert set(plan["gaps"].values()) == {0}


@pytest.mark.parametrize("seconds", ["0", "-1", "nul"])
def test_match_refuses_a_time_limit_that_is_not_above_zero(runner, seconds):
    result = runner.invoke(args=["match", "--json", "--seconds", seconds])
    assert result.exit_code == 2
    assert "--seconds" in result.output
