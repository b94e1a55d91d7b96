def test_home_page_loads_and_switches_to_korean(live_server, page):
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="한국어").click()
    page.wait_for_url("**/")
    assert page.locator("html").get_attribute("lang") == "ko"
