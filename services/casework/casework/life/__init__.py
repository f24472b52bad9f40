"""The whole life of a complaint (issue 15): day-to-day business, the oral record, the time limit,
withdrawal, the reply and senior review, reopening, the ombudsman stage, the persistent flag, equality data."""
