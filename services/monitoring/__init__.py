"""Monitoring (运行监测): sensors, readings, alarms and the city's vital signs."""
