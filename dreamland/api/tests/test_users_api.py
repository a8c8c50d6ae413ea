from __future__ import annotations

from dreamland.accounts.models import User


def test_everyone_lists_users(agent, manager, api_as):
    assert api_as(agent).get("/users?role=manager").json()["items"][0]["id"] == manager.pk


def test_admins_create_edit_and_deactivate_users(admin_user, agent, api_as):
    admin = api_as(admin_user)
    r = admin.post(
        "/users", {"email": "new@dreamland.test", "name": "New", "password": "s3cret-pass!"}
    )
    assert r.status_code == 201 and r.json()["role"] == "agent" and "password" not in r.json()
    assert (
        admin.post(
            "/users", {"email": "NEW@dreamland.test", "name": "N", "password": "s3cret-pass!"}
        ).status_code
        == 422
    )
    assert admin.patch(f"/users/{agent.pk}", {"role": "manager"}).json()["role"] == "manager"
    agent_api = api_as(agent)
    assert admin.delete(f"/users/{agent.pk}").json()["is_active"] is False
    assert agent_api.get("/users").status_code == 401
    assert User.objects.filter(pk=agent.pk).exists()


def test_agents_and_managers_cannot_manage_users(agent, manager, api_as):
    for user in (agent, manager):
        api = api_as(user)
        assert (
            api.post(
                "/users", {"email": "x@y.kz", "name": "X", "password": "long-enough"}
            ).status_code
            == 403
        )
        assert api.patch(f"/users/{agent.pk}", {"role": "admin"}).status_code == 403
        assert api.delete(f"/users/{agent.pk}").status_code == 403
