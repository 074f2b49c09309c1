# The English locale's numeric date, mm/dd/yyyy (Django's "en" reads it too,
# after ISO; here it comes first, so date inputs show it).
DATE_INPUT_FORMATS = ["%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d"]
