import subprocess

<<<<<<< HEAD
LRS = [1e-4, 3e-4, 1e-3]
=======
LRS = [1e-5, 1e-4, 1e-3, 1e-2]
>>>>>>> tune-lr

for lr in LRS:
    subprocess.run(["python", "train.py", f"--lr={lr}"], check=True)
