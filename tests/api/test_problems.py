"""Every error of the API is a problem document (RFC 9457), including those Django answers
before any operation: an unknown path, a method the path does not take."""


def test_an_unknown_path_is_a_problem(api):
    response = api.get("/nothing-here")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("not-found")


def test_a_method_not_taken_is_a_problem_with_allow(api):
    response = api.client.delete("/api/v1/portfolios", headers=api.headers)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert "GET" in response["Allow"]


def test_a_malformed_body_is_a_problem(api, world):
    response = api.client.post(
        f"/api/v1/portfolios/{world.portfolio.pk}/files/1/record",
        "{not json",
        content_type="application/json",
        headers=api.headers,
    )
    assert response.status_code in (400, 404, 422)
    assert response["Content-Type"] == "application/problem+json"
