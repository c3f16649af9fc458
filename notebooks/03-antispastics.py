# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 3. Antispastics: benefit against harm
#
# The antispastics used in ALS act downstream of the serotonergic chain: baclofen (GABA-B,
# oral or intrathecal), tizanidine (α2), diazepam (GABA-A) lower reflex transmission;
# dantrolene weakens muscle contraction itself; a stretching programme lowers tone. Each has
# PK (plasma, CSF), an Emax effect where it acts, and side effects that are Emax functions of
# the brain or spinal level (`docs/model.md` §6). In the trials the effects are graded and
# modest, with harms (science.md §4, fact 15). This notebook compares them on the default
# patient from year 3 (intrathecal baclofen from year 4, as in late ALS).

# %%
import json
import pandas as pd
from raphe_nb import OUT, raphe, figure, simulate

arms = ["untreated", "baclofen_oral_tid", "tizanidine_oral_tid", "baclofen_intrathecal_late", "dantrolene_titration", "diazepam_oral", "exercise_stretching"]
raphe("compare", *[x for a in arms for x in ("--scenario", a)], "--out", OUT / "antispastics", "--force")
table = pd.read_csv(OUT / "antispastics" / "compare.csv").set_index("metric")
rows = ["benefit_risk.spasm_relief", "benefit_risk.pain_relief", "benefit_risk.mean_sedation", "benefit_risk.mean_bp_fall", "benefit_risk.mean_weakness", "benefit_risk.liver_injury_risk", "benefit_risk.score"]
benefit = table.loc[rows, arms[1:]].astype(float).T
benefit.columns = [c.removeprefix("benefit_risk.") for c in benefit.columns]
benefit.round(3)

# %% [markdown]
# Relief and harms are means over the window each treatment acts in, against the untreated
# patient; the score weighs them (`models/weights/benefit_risk.toml`). What the table says:
#
# * **No oral drug abolishes spasms**: oral baclofen relieves about 40%, tizanidine a third,
#   diazepam a third, each with sedation (diazepam most); tizanidine adds a fall in blood
#   pressure (fact 9 is its single 8 mg dose: a ≥ 20% fall in two thirds of patients) and a
#   liver-enzyme risk.
# * **Intrathecal baclofen** puts about nine times the CSF level of oral dosing at the cord (its CSF
#   Cmax below) and relieves most spasms, with less sedation than oral tizanidine or diazepam:
#   the reason it is used in late ALS (McClelland et al. 2008, fact 7).
# * **Dantrolene** weakens the muscle (the largest weakness) and carries liver-injury risk.
# * **Stretching** lowers tone only, so it relieves pain a little and spasms not at all.

# %%
relief = benefit["spasm_relief"]
assert relief["baclofen_intrathecal_late"] > relief["baclofen_oral_tid"], "ITB beats oral baclofen"
assert all(0 < relief[a] < 1 for a in arms[1:6]), "graded, never complete relief (fact 15)"
assert benefit.loc["tizanidine_oral_tid", "mean_bp_fall"] > 0 and benefit.loc["baclofen_oral_tid", "mean_bp_fall"] == 0
csf = table.loc["exposure.baclofen.csf_cmax", ["baclofen_oral_tid", "baclofen_intrathecal_late"]].astype(float)
print(f"baclofen CSF Cmax: oral {csf.iloc[0]:.3f} mg/L, intrathecal {csf.iloc[1]:.3f} mg/L ({csf.iloc[1] / csf.iloc[0]:.0f}x)")
figure("compare", *[OUT / "antispastics" / "arms" / a for a in ["untreated", "baclofen_oral_tid", "tizanidine_oral_tid", "baclofen_intrathecal_late"]], name="antispastics")

# %% [markdown]
# ## Oral baclofen: dose against response
#
# Three doses, 10, 20 and 30 mg three times a day from year 3. Relief grows with the dose,
# and so does sedation: the clinical trade-off of titration.

# %%
_, base = simulate("untreated_6y")
dose_rows = {}
for mg in [10, 20, 30]:
    traj, summary = simulate(f"baclofen_{mg}mg", "--dose", f"baclofen {mg} mg q8h from 3y")
    dose_rows[f"{mg} mg tid"] = {
        "spasm relief": summary["benefit_risk"]["spasm_relief"],
        "mean sedation": summary["benefit_risk"]["mean_sedation"],
        "peak sedation": summary["peak_sedation"],
        "CSF Cmax (mg/L)": summary["exposure"]["baclofen"]["csf_cmax"],
    }
dose = pd.DataFrame(dose_rows).T
assert dose["spasm relief"].is_monotonic_increasing and dose["mean sedation"].is_monotonic_increasing
dose.round(3)

# %% [markdown]
# ## Within a day
#
# With a fine window (`--window`), raphe shows what three daily doses do hour by hour: plasma
# and CSF levels rise and fall, reflex excitability and spasms follow the CSF level, and
# sedation follows the brain level.

# %%
simulate("baclofen_day", "--scenario", "baclofen_oral_tid", "--window", "3y+30d..3y+31d", "--window-step", "10min")
figure("pkpd", OUT / "baclofen_day", name="baclofen_day")
