"""simulator.server.tune_gunicorn: what it does once per worker gives the answers gunicorn
gives per request (settings, the trusted-proxy check, the Date header)."""

from __future__ import annotations

import email.utils

import pytest
from gunicorn import util
from gunicorn.config import Config
from gunicorn.http import message

from simulator import server


@pytest.fixture
def tuned(monkeypatch):
    # recorded so that the module functions tune_gunicorn replaces are put back afterwards
    monkeypatch.setattr(message, "_ip_in_allow_list", message._ip_in_allow_list)
    monkeypatch.setattr(util, "http_date", util.http_date)
    cfg = Config()
    cfg.set("keepalive", 5)
    cfg.set("forwarded_allow_ips", "127.0.0.1,10.0.0.0/8")
    expected = {name: setting.get() for name, setting in cfg.settings.items()}
    server.tune_gunicorn(cfg)
    return cfg, expected


def test_settings_are_read_from_the_instance_with_the_same_values(tuned):
    cfg, expected = tuned
    for name, value in expected.items():
        if hasattr(Config, name):  # a property of the class (worker_class): left to it
            assert name not in vars(cfg)
            continue
        assert name in vars(cfg)
        assert getattr(cfg, name) == value
    assert len(vars(cfg)) > 100  # (gunicorn 27 has ~130 settings)
    assert cfg.keepalive == 5
    assert not cfg.is_ssl  # properties still computed by the class
    with pytest.raises(AttributeError):
        cfg.keepalive = 6  # gunicorn's guard is untouched


def test_trusted_proxy_answers_are_gunicorns(tuned):
    cfg, _ = tuned
    check = message._ip_in_allow_list
    assert check.kallelse_cached
    allow, networks = cfg.forwarded_allow_ips, cfg.forwarded_allow_networks()
    for _ in range(2):  # computed, then remembered
        assert check("127.0.0.1", allow, networks) is True
        assert check("10.1.2.3", allow, networks) is True
        assert check("192.168.0.1", allow, networks) is False
        assert check("not an address", allow, networks) is False
    assert check("192.168.0.1", ["*"], []) is True  # another list, another answer


def test_trusted_proxy_memory_is_bounded(tuned, monkeypatch):
    monkeypatch.setattr(server, "ALLOW_CHECK_MEMORY", 4)
    calls = []

    def original(ip, allow, networks):
        calls.append(ip)
        return ip.endswith(".1")

    check = server._remembered_allow_check(original)
    for i in range(10):
        assert check(f"10.0.0.{i}", [], []) is (i == 1)
    assert check("10.0.0.9", [], []) is False
    assert len(calls) == 10  # the last one was still remembered


def test_date_header_is_gunicorns_within_a_second(tuned):
    text = util.http_date()
    assert util.http_date.kallelse_cached
    parsed = email.utils.parsedate_to_datetime(text)
    reference = email.utils.parsedate_to_datetime(email.utils.formatdate(usegmt=True))
    assert abs((reference - parsed).total_seconds()) <= 1.5
    assert text.endswith(" GMT") and util.http_date() in (text, util.http_date())
    assert util.http_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT"  # a given time is formatted as asked


def test_tuning_twice_wraps_once(tuned):
    cfg, _ = tuned
    check, date = message._ip_in_allow_list, util.http_date
    server.tune_gunicorn(cfg)
    assert message._ip_in_allow_list is check and util.http_date is date
