"""The assistant: LangGraph agent, offline planner, grounding and sessions (issue 5)."""
