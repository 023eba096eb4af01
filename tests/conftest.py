pytest_plugins = ["pytester", "reports_guard"]
